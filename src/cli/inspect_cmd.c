/* dimvida inspect FILE…: what each file is, found by loading it through the
 * loader the app and the other commands use (so the verdict is theirs), or
 * the precise reason that loader refuses it. The kind comes from the file's
 * first bytes (PNG signature, safetensors header, "DVMVIEW1", JSON) and else
 * from its extension (.obj, .csv/.tsv/.txt). Exit status 1 if any file is
 * refused. A new network slots in as one row of `networks` below. */
#include "commands.h"

#include "core/shape.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "toy/data.h"
#include "toy/sampler_config.h"
#include "toy/train.h"
#include "views/autoencoder.h"
#include "views/latents.h"
#include "views/multiview.h"
#include "views/obj.h"
#include "views/score_model.h"
#include "views/score_net.h"
#include "votes/classifier.h"

#include <errno.h>
#include "votes/predictions.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Metadata values longer than this are cut in the listing (configs are shown whole up to it). */
#define MAX_SHOWN_VALUE 400
/* JSON files larger than this are refused before parsing (ours are a few kB). */
#define MAX_JSON_BYTES (64 << 20)
/* Enough of the file to recognise its kind. */
#define SNIFF_BYTES 64

typedef enum {
  KIND_UNKNOWN,
  KIND_PNG,
  KIND_SAFETENSORS,
  KIND_MULTIVIEW,
  KIND_JSON,
  KIND_OBJ,
  KIND_CSV,
} Kind;

static Kind
sniff (const char *path, const guint8 *head, gsize n)
{
  static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (n >= 8 && memcmp (head, png_signature, 8) == 0)
    return KIND_PNG;
  if (n >= 8 && memcmp (head, "DVMVIEW1", 8) == 0)
    return KIND_MULTIVIEW;
  /* safetensors: a little-endian u64 header length, then a JSON object. */
  if (n >= 9 && head[8] == '{' && head[5] == 0 && head[6] == 0 && head[7] == 0)
    return KIND_SAFETENSORS;
  if (g_str_has_suffix (path, ".safetensors"))
    return KIND_SAFETENSORS;
  gsize i = 0;
  if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
    i = 3;  /* UTF-8 byte order mark */
  while (i < n && g_ascii_isspace (head[i]))
    i++;
  if (i < n && (head[i] == '{' || head[i] == '['))
    return KIND_JSON;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".obj"))
    return KIND_OBJ;
  if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") || g_str_has_suffix (lower, ".txt"))
    return KIND_CSV;
  if (g_str_has_suffix (lower, ".json"))
    return KIND_JSON;
  if (g_str_has_suffix (lower, ".png"))
    return KIND_PNG;
  return KIND_UNKNOWN;
}

/* ---- PNG ---- */

static const char *
png_colour_type (int type)
{
  switch (type)
    {
    case 0: return "greyscale";
    case 2: return "RGB";
    case 3: return "palette";
    case 4: return "greyscale + alpha";
    case 6: return "RGBA";
    default: return "unknown colour type";
    }
}

static gboolean
inspect_png (const char *path, GError **error)
{
  DvImage img;
  if (!dv_png_read (path, &img, error))
    return FALSE;
  /* The reader took the IHDR apart already; its depth and colour type are re-read for the listing. */
  guint8 head[29] = { 0 };
  FILE *f = fopen (path, "rb");
  gsize got = f ? fread (head, 1, sizeof head, f) : 0;
  if (f)
    fclose (f);
  printf ("PNG image, %d×%d pixels", img.width, img.height);
  if (got == sizeof head && memcmp (head + 12, "IHDR", 4) == 0)
    printf (", %s, %d bits per sample%s", png_colour_type (head[25]), head[24], head[28] ? ", interlaced" : "");
  printf ("\n");
  if (img.width == img.height)
    printf ("  a square view (the autoencoder resizes it to its own size)\n");
  else if (img.width == 4 * img.height)
    printf ("  a strip of 4 views (front, right, back, left)\n");
  else
    printf ("  neither a square view nor a 4:1 strip: the Views page refuses it, `views reconstruct` pads it\n");
  dv_image_clear (&img);
  return TRUE;
}

/* ---- safetensors ---- */

static const char *
dtype_name (DvDtype dtype)
{
  return dtype == DV_DTYPE_F16 ? "F16" : "F32";
}

static void
print_tensors (DvSafetensors *st)
{
  size_t total = 0, n = 0;
  for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
    {
      int ndim, shape[4];
      DvDtype dtype;
      dv_safetensors_shape (st, *name, &ndim, shape, &dtype);
      char text[64];
      printf ("    %-48s %s %s\n", *name, dtype_name (dtype), dv_shape_to_string (ndim, shape, text, sizeof text));
      total += dv_shape_numel (ndim, shape);
      n++;
    }
  printf ("  %zu tensors, %zu values\n", n, total);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
print_metadata (DvSafetensors *st)
{
  GHashTable *table = dv_safetensors_metadata_table (st);
  if (g_hash_table_size (table) == 0)
    {
      printf ("  no metadata\n");
      return;
    }
  guint n_keys = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (table, &n_keys);
  qsort (keys, n_keys, sizeof *keys, compare_strings);
  printf ("  metadata:\n");
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i], *value = g_hash_table_lookup (table, key);
      size_t len = strlen (value);
      if (len > MAX_SHOWN_VALUE)
        printf ("    %s: %.*s… (%zu bytes)\n", key, MAX_SHOWN_VALUE, value, len);
      else
        printf ("    %s: %s\n", key, value);
    }
}

/* Every tensor through the checked reader: shapes and finiteness, for files
 * whose own loader is not public (training checkpoints). */
static gboolean
read_every_tensor (DvSafetensors *st, GError **error)
{
  for (const char *const *name = dv_safetensors_names (st); *name != NULL; name++)
    {
      int ndim, shape[4];
      dv_safetensors_shape (st, *name, &ndim, shape, NULL);
      g_autofree float *values = g_try_new (float, MAX (dv_shape_numel (ndim, shape), 1));
      if (values == NULL)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "not enough memory for tensor '%s'", *name);
          return FALSE;
        }
      if (!dv_safetensors_read (st, *name, ndim, shape, values, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_toy_checkpoint (DvSafetensors *st, const char *path, GError **error)
{
  DvToyTrainConfig cfg;
  if (!dv_toy_checkpoint_read_config (path, &cfg, error))
    return FALSE;
  /* The app resumes a checkpoint on its current points; any will do to load it. */
  float xy[2 * DV_TOY_MIN_POINTS] = { 0 };
  g_autoptr (DvToyTrainer) tr = dv_toy_trainer_load (path, xy, DV_TOY_MIN_POINTS, error);
  if (tr == NULL)
    return FALSE;
  printf ("Playground checkpoint (dimvida-toy-1): denoiser %d × %d (time embedding %d), %s schedule, T %d\n",
          cfg.blocks, cfg.hidden, cfg.emb_dim, dv_schedule_kind_to_string (cfg.schedule), cfg.T);
  if (cfg.gan)
    printf ("  GAN: discriminator %d × %d, fake %s, λ_adv %g, λ_gp %g\n", cfg.d_layers, cfg.d_hidden,
            dv_toy_fake_to_string (cfg.fake), cfg.lambda_adv, cfg.lambda_gp);
  else
    printf ("  no discriminator (plain diffusion)\n");
  printf ("  step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT ", batch %d, lr %g, seed %" G_GUINT64_FORMAT
          "; %zu parameters\n",
          dv_toy_trainer_get_step (tr), cfg.steps, cfg.batch_size, cfg.lr, cfg.seed,
          dv_toy_trainer_get_model (tr)->params.count);
  return TRUE;
}

static gboolean
load_score_model (DvSafetensors *st, const char *path, GError **error)
{
  g_autoptr (DvScoreModel) model = dv_score_model_load (path, error);
  if (model == NULL)
    return FALSE;
  g_autofree char *config = dv_score_net_config_to_json (&model->net->config);
  printf ("masked score model (dimvida-score-model-1): %s; %zu parameters\n", config, model->net->params.count);
  return TRUE;
}

static gboolean
load_autoencoder (DvSafetensors *st, const char *path, GError **error)
{
  g_autoptr (DvAutoencoder) ae = dv_autoencoder_load (path, error);
  if (ae == NULL)
    return FALSE;
  g_autofree char *config = dv_autoencoder_config_to_json (&ae->config);
  gboolean checkpoint = dv_safetensors_has (st, "optimizer.adam_m");
  if (checkpoint && !read_every_tensor (st, error))
    return FALSE;
  printf ("view autoencoder%s: %s; %zu parameters\n", checkpoint ? " training checkpoint (resumable)" : "", config,
          ae->params.count);
  return TRUE;
}

static gboolean
load_score_checkpoint (DvSafetensors *st, const char *path, GError **error)
{
  JsonParser *parser = json_parser_new ();
  const char *train = dv_safetensors_metadata (st, "train_config");
  gboolean ok = train != NULL && json_parser_load_from_data (parser, train, -1, NULL) &&
                JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser));
  DvScoreNetConfig config;
  if (ok)
    {
      JsonNode *model = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "model");
      g_autofree char *model_json = model ? json_to_string (model, FALSE) : NULL;
      ok = model_json != NULL && dv_score_net_config_from_json (&config, model_json, NULL);
    }
  g_object_unref (parser);
  if (!ok)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "its train_config has no valid model");
      return FALSE;
    }
  if (!read_every_tensor (st, error))
    return FALSE;
  g_autofree char *json = dv_score_net_config_to_json (&config);
  printf ("masked score model training checkpoint (dimvida-score-checkpoint-1): %s, step %s\n", json,
          dv_safetensors_metadata (st, "step") ?: "?");
  return TRUE;
}

static gboolean
load_latents (DvSafetensors *st, const char *path, GError **error)
{
  int ndim, shape[4];
  if (!dv_safetensors_shape (st, "latents", &ndim, shape, NULL) || ndim != 3)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "no latents [objects][views][dim] tensor");
      return FALSE;
    }
  if (!read_every_tensor (st, error))
    return FALSE;
  printf ("view latent cache (dimvida-view-latents-1): %d objects × %d views × %d, split %s of dataset seed %s\n",
          shape[0], shape[1], shape[2], dv_safetensors_metadata (st, "split") ?: "?",
          dv_safetensors_metadata (st, "dataset_seed") ?: "?");
  return TRUE;
}

static gboolean
load_classifier (DvSafetensors *st, const char *path, GError **error)
{
  g_autoptr (DvClassifier) classifier = dv_classifier_load (path, NULL, error);
  if (classifier == NULL)
    return FALSE;
  const DvClassifierConfig *c = dv_classifier_get_config (classifier);
  printf ("view classifier (dimvida-classifier-1): %s × %g, %d classes, %d×%d images; %zu parameters, %zu running "
          "statistics\n",
          dv_classifier_arch_name (c->arch), c->width, c->n_classes, c->image_size, c->image_size,
          dv_classifier_params (classifier)->count, dv_classifier_running_stats (classifier)->count);
  return TRUE;
}

static gboolean
is_autoencoder (DvSafetensors *st)
{
  return dv_safetensors_metadata (st, "autoencoder_config") != NULL ||
         (dv_safetensors_has (st, "encoder.conv_in.weight") || dv_safetensors_has (st, "decoder.conv_out.weight"));
}

typedef struct {
  const char *format;  /* metadata "format", or NULL: matched by `matches` */
  gboolean (*matches) (DvSafetensors *st);
  gboolean (*load) (DvSafetensors *st, const char *path, GError **error);
} Network;

/* A new network: its format and its loader here. */
static const Network networks[] = {
  { "dimvida-classifier-1", NULL, load_classifier },
  { "dimvida-toy-1", NULL, load_toy_checkpoint },
  { "dimvida-score-model-1", NULL, load_score_model },
  { "dimvida-score-checkpoint-1", NULL, load_score_checkpoint },
  { DV_VIEW_LATENTS_FORMAT, NULL, load_latents },
  { NULL, is_autoencoder, load_autoencoder },
};

static gboolean
inspect_safetensors (const char *path, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (st == NULL)
    return FALSE;
  const char *format = dv_safetensors_metadata (st, "format");
  const Network *found = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (networks) && found == NULL; i++)
    if (networks[i].format ? g_strcmp0 (format, networks[i].format) == 0 : format == NULL && networks[i].matches (st))
      found = &networks[i];
  if (found == NULL)
    {
      if (format != NULL)
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                     "a safetensors file of format “%s”, which no DiMViDA loader reads", format);
      else
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                     "a safetensors file of no DiMViDA network (no “format” metadata, no autoencoder tensors)");
      return FALSE;
    }
  if (!found->load (st, path, error))
    return FALSE;
  print_tensors (st);
  print_metadata (st);
  return TRUE;
}

/* ---- the others ---- */

static gboolean
inspect_multiview (const char *path, GError **error)
{
  DvMultiviewSet set;
  if (!dv_multiview_set_load (path, &set, error))
    return FALSE;
  guint counts[256] = { 0 };
  int n_classes = 0;
  for (guint i = 0; i < set.n_objects; i++)
    {
      counts[set.labels[i]]++;
      n_classes = MAX (n_classes, set.labels[i] + 1);
    }
  printf ("multi-view dataset cache: split %s, seed %" G_GUINT64_FORMAT ", %u objects of %d classes, %d views of "
          "%d×%d pixels each\n",
          dv_multiview_split_name (set.split), set.seed, set.n_objects, n_classes, set.n_views, set.width,
          set.height);
  printf ("  objects per class:");
  for (int c = 0; c < n_classes; c++)
    printf (" %u", counts[c]);
  printf ("\n");
  dv_multiview_set_clear (&set);
  return TRUE;
}

static gboolean
inspect_obj (const char *path, GError **error)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  if (!dv_obj_load (path, &mesh, error))
    {
      dv_mesh_clear (&mesh);
      return FALSE;
    }
  float lo[3] = { INFINITY, INFINITY, INFINITY }, hi[3] = { -INFINITY, -INFINITY, -INFINITY };
  for (guint i = 0; i < mesh.n_vertices; i++)
    for (int k = 0; k < 3; k++)
      {
        lo[k] = MIN (lo[k], mesh.positions[3 * i + k]);
        hi[k] = MAX (hi[k], mesh.positions[3 * i + k]);
      }
  /* The renderer's mesh repeats a vertex per normal; the file's own count is its `v` lines. */
  g_autofree char *text = NULL;
  gsize length = 0, positions = 0;
  if (g_file_get_contents (path, &text, &length, NULL))
    for (const char *line = text; line != NULL && line < text + length; line = memchr (line, '\n', text + length - line))
      {
        while (line < text + length && (*line == '\n' || *line == ' ' || *line == '\t' || *line == '\r'))
          line++;
        if (text + length - line >= 2 && line[0] == 'v' && (line[1] == ' ' || line[1] == '\t'))
          positions++;
      }
  printf ("Wavefront OBJ mesh: %" G_GSIZE_FORMAT " vertices, %u triangles (polygons split into fans; "
          "%u render vertices)\n", positions, mesh.n_triangles, mesh.n_vertices);
  if (mesh.n_vertices > 0)
    printf ("  bounds x [%g, %g], y [%g, %g], z [%g, %g]\n", lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]);
  dv_mesh_clear (&mesh);
  return TRUE;
}

static gboolean
inspect_csv (const char *path, GError **error)
{
  DvToyData data = { 0 };
  if (!dv_toy_data_load_csv (&data, path, error))
    return FALSE;
  float lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  for (size_t i = 0; i < data.n; i++)
    for (int k = 0; k < 2; k++)
      {
        lo[k] = MIN (lo[k], data.xy[2 * i + k]);
        hi[k] = MAX (hi[k], data.xy[2 * i + k]);
      }
  printf ("Playground points (CSV): %zu points, x [%g, %g], y [%g, %g]\n", data.n, lo[0], hi[0], lo[1], hi[1]);
  dv_toy_data_clear (&data);
  return TRUE;
}

/* A Playground configuration's runs through the engine's parsers the Playground loads them with (its
 * last check, dv_playground_config_check, lives in the app and is not repeated here). */
static gboolean
check_playground_config (JsonObject *object, GError **error)
{
  JsonNode *runs_node = json_object_get_member (object, "runs");
  JsonArray *runs = runs_node && JSON_NODE_HOLDS_ARRAY (runs_node) ? json_node_get_array (runs_node) : NULL;
  if (runs == NULL || json_array_get_length (runs) != 2)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "a Playground configuration should hold the settings of two runs");
      return FALSE;
    }
  for (guint side = 0; side < 2; side++)
    {
      JsonNode *run = json_array_get_element (runs, side);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (run) ? json_node_get_object (run) : NULL;
      JsonNode *train = o ? json_object_get_member (o, "train") : NULL;
      if (train == NULL)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "run %u has no “train” settings", side + 1);
          return FALSE;
        }
      DvToyTrainConfig cfg;
      DvToySamplerConfig sampler;
      dv_toy_sampler_config_init (&sampler);
      g_autofree char *text = json_to_string (train, FALSE);
      if (!dv_toy_train_config_from_json_string (&cfg, text, error) ||
          !dv_toy_sampler_config_from_json (&sampler, o, error))
        {
          g_prefix_error (error, "run %u: ", side + 1);
          return FALSE;
        }
      printf ("  run %u: %s, %d × %d, %" G_GINT64_FORMAT " steps%s\n", side + 1,
              dv_schedule_kind_to_string (cfg.schedule), cfg.blocks, cfg.hidden, cfg.steps, cfg.gan ? ", GAN" : "");
    }
  return TRUE;
}

/* The Votes page's evaluation file: each classifier's accuracies on e and ea from its predictions. */
static gboolean
inspect_predictions (const char *text, GError **error)
{
  DvVotesPredictions p;
  if (!dv_votes_predictions_from_json (&p, text, error))
    return FALSE;
  printf ("votes predictions (%s) on split e: %u objects of %d classes, dataset seed %" G_GUINT64_FORMAT
          ", ea's views from score model %.12s…; %u classifiers:", DV_VOTES_PREDICTIONS_FORMAT, p.n_objects,
          p.n_classes, p.dataset_seed, p.score_model_sha256 ? p.score_model_sha256 : "(not recorded)",
          p.classifiers->len);
  for (guint i = 0; i < p.classifiers->len; i++)
    {
      const DvVotesPredictionsEntry *e = p.classifiers->pdata[i];
      DvVoteConfusion ce, cea;
      dv_votes_predictions_confusion (&p, e, FALSE, &ce);
      dv_votes_predictions_confusion (&p, e, TRUE, &cea);
      printf ("%s %s Ω_%s (%s, SHA-256 %.12s…): e %.2f %%, ea %.2f %%", i ? ";" : "", dv_classifier_arch_name (e->arch),
              dv_votes_set_name (e->set), e->file, e->sha256, 100 * dv_vote_confusion_accuracy (&ce),
              100 * dv_vote_confusion_accuracy (&cea));
      dv_vote_confusion_clear (&ce);
      dv_vote_confusion_clear (&cea);
    }
  printf ("\n");
  dv_votes_predictions_clear (&p);
  return TRUE;
}

static gboolean
inspect_json (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot read it: %s", local->message);
      return FALSE;
    }
  if (length > MAX_JSON_BYTES)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%" G_GSIZE_FORMAT " bytes of JSON, more than the %d allowed",
                   length, MAX_JSON_BYTES);
      return FALSE;
    }
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "not valid JSON: %s", local->message);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      printf ("JSON %s, not a DiMViDA file (those are objects)\n", root ? json_node_type_name (root) : "(empty)");
      return TRUE;
    }
  JsonObject *object = json_node_get_object (root);
  const char *format = json_object_get_string_member_with_default (object, "format", NULL);
  if (g_strcmp0 (format, "dimvida-playground-config") == 0)
    {
      printf ("Playground configuration (version %" G_GINT64_FORMAT ")\n",
              json_object_get_int_member_with_default (object, "version", 0));
      return check_playground_config (object, error);
    }
  if (g_strcmp0 (format, DV_VOTES_PREDICTIONS_FORMAT) == 0)
    return inspect_predictions (text, error);
  g_autoptr (GList) members = json_object_get_members (object);
  printf ("JSON object%s%s%s, %u members:", format ? " of format “" : "", format ? format : "", format ? "”" : "",
          g_list_length (members));
  for (GList *m = members; m != NULL; m = m->next)
    printf (" %s", (const char *) m->data);
  printf ("\n");
  return TRUE;
}

static gboolean
inspect_file (const char *path, GError **error)
{
  printf ("%s: ", path);
  g_autoptr (GError) local = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, &local);
  if (info == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "not a regular file");
      return FALSE;
    }
  guint8 head[SNIFF_BYTES];
  gsize n = 0;
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "cannot open it: %s", g_strerror (errno));
      return FALSE;
    }
  n = fread (head, 1, sizeof head, f);
  fclose (f);
  printf ("%" G_GOFFSET_FORMAT " bytes, ", g_file_info_get_size (info));
  switch (sniff (path, head, n))
    {
    case KIND_PNG: return inspect_png (path, error);
    case KIND_SAFETENSORS: return inspect_safetensors (path, error);
    case KIND_MULTIVIEW: return inspect_multiview (path, error);
    case KIND_JSON: return inspect_json (path, error);
    case KIND_OBJ: return inspect_obj (path, error);
    case KIND_CSV: return inspect_csv (path, error);
    case KIND_UNKNOWN: break;
    }
  g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
               "unknown kind of file (DiMViDA reads PNG, safetensors, .dvmv, JSON, .obj and .csv points)");
  return FALSE;
}

int
dv_cmd_inspect (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE… — say what each file is, or why it is refused");
  g_option_context_set_summary (ctx, "Loads each file as DiMViDA Studio would (PNG views, weights and checkpoints, "
                                     "dataset caches, OBJ meshes, points CSV, JSON configurations)\nand prints what "
                                     "it holds, or the precise reason it is refused. Exit status 1 if any is refused.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  if (argc < 2)
    return dv_cli_fail ("inspect: no file given (dimvida inspect FILE…)");
  int refused = 0;
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) why = NULL;
      if (!inspect_file (argv[i], &why))
        {
          /* Ends the "PATH: N bytes, " line inspect_file started. */
          printf ("refused: %s\n", why->message);
          refused++;
        }
      fflush (stdout);
    }
  if (refused > 0)
    fprintf (stderr, "dimvida: inspect: %d of %d files refused\n", refused, argc - 1);
  return refused > 0 ? 1 : 0;
}
