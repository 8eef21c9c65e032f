#include "tiny-votes-weights.h"

#include <string.h>

#include "views/objects/registry.h"
#include "votes/classifier.h"
#include "votes/dataset.h"
#include "votes/predictions.h"

gboolean
tiny_votes_weights_write (const char *dir, const int *favoured, GError **error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", dir);
      return FALSE;
    }
  for (int i = 0; i < 4; i++)
    {
      DvClassifierArch arch = i < 2 ? DV_CLASSIFIER_RESNET18 : DV_CLASSIFIER_MOBILENET;
      DvVotesSet set = i % 2 ? DV_VOTES_SET_M : DV_VOTES_SET_S;
      DvClassifierConfig config;
      dv_classifier_config_init (&config, arch);
      config.width = arch == DV_CLASSIFIER_RESNET18 ? 1.0 / 16 : 0.125;
      g_autoptr (DvClassifier) net = dv_classifier_new (&config);
      dv_classifier_init_weights (net, 10 + i);
      if (favoured != NULL && favoured[i] >= 0)
        {
          DvParams *params = dv_classifier_params (net);
          const char *last = arch == DV_CLASSIFIER_RESNET18 ? "fc" : "classifier.3";
          g_autofree char *wname = g_strdup_printf ("%s.weight", last), *bname = g_strdup_printf ("%s.bias", last);
          const DvParamInfo *w = dv_params_find (params, wname), *b = dv_params_find (params, bname);
          g_assert (w != NULL && b != NULL && favoured[i] < (int) b->numel);
          memset (params->data + w->offset, 0, sizeof (float) * w->numel);
          memset (params->data + b->offset, 0, sizeof (float) * b->numel);
          params->data[b->offset + favoured[i]] = 2.0f;
        }
      g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      g_hash_table_insert (meta, "command", g_strdup ("tiny test weights (tests/gui/tiny-votes-weights.c)"));
      g_hash_table_insert (meta, "set", g_strdup (dv_votes_set_name (set)));
      g_hash_table_insert (meta, "accuracy_e", g_strdup_printf ("%.4f", 0.1 + 0.1 * i));
      g_hash_table_insert (meta, "accuracy_ea", g_strdup_printf ("%.4f", 0.15 + 0.1 * i));
      g_autofree char *name = g_strdup_printf ("%s-%s.safetensors", dv_classifier_arch_name (arch),
                                               dv_votes_set_name (set));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!dv_classifier_save (net, path, meta, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tiny_votes_evaluation_write (const char *dir, guint per_class, const char *views_dir, GError **error)
{
  /* Split e as `dimvida views dataset --seed 1` makes it, per_class objects per class (their given views drawn
   * as the dataset draws them, so that the Votes page renders them truly). */
  const guint n = per_class * DV_N_OBJECT_CLASSES;
  DvMultiviewSet set = { .split = DV_SPLIT_E, .seed = 1, .n_objects = n, .n_views = 4, .height = 64, .width = 64 };
  set.labels = g_new (guint8, n);
  set.given_views = g_new (guint8, n);
  set.object_indices = g_new (guint32, n);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  for (guint o = 0; o < n; o++)
    {
      int view;
      set.labels[o] = (guint8) (o / per_class);
      set.object_indices[o] = o % per_class;
      dv_multiview_object (set.seed, DV_SPLIT_E, set.labels[o], set.object_indices[o], &mesh, &view);
      set.given_views[o] = (guint8) view;
    }
  dv_mesh_clear (&mesh);
  const char *names[DV_N_OBJECT_CLASSES];
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    names[c] = dv_object_class_name (c);
  DvVotesPredictions p;
  dv_votes_predictions_init (&p, &set, names, DV_N_OBJECT_CLASSES);
  p.command = g_strdup ("tiny test predictions (tests/gui/tiny-votes-weights.c)");
  gboolean ok = TRUE;
  if (views_dir != NULL)
    {
      g_autofree char *score = g_build_filename (views_dir, "score.safetensors", NULL);
      g_autofree char *ae = g_build_filename (views_dir, "autoencoder.safetensors", NULL);
      ok = (p.score_model_sha256 = dv_votes_file_sha256 (score, error)) != NULL
           && (p.autoencoder_sha256 = dv_votes_file_sha256 (ae, error)) != NULL;
    }
  for (int i = 0; i < 4 && ok; i++)
    {
      DvClassifierArch arch = i < 2 ? DV_CLASSIFIER_RESNET18 : DV_CLASSIFIER_MOBILENET;
      DvVotesSet s = i % 2 ? DV_VOTES_SET_M : DV_VOTES_SET_S;
      g_autofree char *name = g_strdup_printf ("%s-%s.safetensors", dv_classifier_arch_name (arch),
                                               dv_votes_set_name (s));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *sha = dv_votes_file_sha256 (path, error);
      if (!(ok = sha != NULL))
        break;
      DvVotesEvaluation ev = { .n_classes = DV_N_OBJECT_CLASSES, .n_views = 4, .n_objects = n };
      ev.predicted_e = g_new (int, n);
      ev.predicted_ea = g_new (int, n);
      for (guint o = 0; o < n; o++)
        {
          const int c = set.labels[o], k = (int) set.object_indices[o];
          ev.predicted_e[o] = k % (i + 2) == 0 ? (c + 1) % DV_N_OBJECT_CLASSES : c;
          ev.predicted_ea[o] = k % 3 == 0 ? (c + 2) % DV_N_OBJECT_CLASSES : c;
        }
      dv_votes_predictions_add (&p, name, sha, arch, s, "1", &ev);
      g_free (ev.predicted_e);
      g_free (ev.predicted_ea);
    }
  g_autofree char *out = g_build_filename (dir, DV_VOTES_PREDICTIONS_FILE, NULL);
  ok = ok && dv_votes_predictions_save (&p, out, error);
  dv_votes_predictions_clear (&p);
  g_free (set.labels);
  g_free (set.given_views);
  g_free (set.object_indices);
  return ok;
}
