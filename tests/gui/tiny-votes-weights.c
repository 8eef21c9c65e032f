#include "tiny-votes-weights.h"

#include <string.h>

#include "votes/classifier.h"
#include "votes/dataset.h"

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
