#include "votes/classifier.h"

#include "core/enum_names.h"
#include "io/safetensors.h"
#include "votes/mobilenet.h"
#include "votes/resnet.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define FORMAT "dimvida-classifier-1"

DV_ENUM_NAMES_DEFINE (classifier_arch, DvClassifierArch, "classifier architecture", "resnet18", "mobilenet")

const char *
dv_classifier_arch_name (DvClassifierArch arch)
{
  return classifier_arch_to_string (arch);
}

gboolean
dv_classifier_arch_from_name (const char *name, DvClassifierArch *arch, GError **error)
{
  return classifier_arch_from_string (name, arch, error);
}

void
dv_classifier_config_init (DvClassifierConfig *config, DvClassifierArch arch)
{
  /* The cheapest widths measured (bench/RESULTS-views.md, "Classifier training step"): ResNet-18 × 1/8
   * (8-16-32-64, 176,597 parameters), MobileNetV3-Small × 1/2 (410,933). On the shared machine a batch-64
   * step still took 1.4 s and 0.5 s at load average 16, not the ≲ 0.2 s aimed at; PyTorch is no faster. */
  *config = (DvClassifierConfig) { .arch = arch, .width = arch == DV_CLASSIFIER_RESNET18 ? 0.125 : 0.5,
                                   .n_classes = 13, .image_size = 64, .dropout = 0.2f };
}

gboolean
dv_classifier_config_check (const DvClassifierConfig *c, GError **error)
{
  if (!dv_enum_names_is_valid (&classifier_arch_names, (int) c->arch))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "unknown classifier architecture %d", (int) c->arch);
      return FALSE;
    }
  if (!(c->width >= 1.0 / 64 && c->width <= 4.0))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "classifier width multiplier %g outside 1/64…4", c->width);
      return FALSE;
    }
  if (c->n_classes < 2 || c->n_classes > 1000)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "classifier with %d classes (2…1000)", c->n_classes);
      return FALSE;
    }
  if (c->image_size < 8 || c->image_size > 512 || c->image_size % 8 != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "classifier image size %d is not a multiple of 8 in 8…512",
                   c->image_size);
      return FALSE;
    }
  if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "classifier dropout %g outside [0, 1)", c->dropout);
      return FALSE;
    }
  return TRUE;
}

char *
dv_classifier_config_to_json (const DvClassifierConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "arch");
  json_builder_add_string_value (b, dv_classifier_arch_name (c->arch));
  json_builder_set_member_name (b, "width");
  json_builder_add_double_value (b, c->width);
  json_builder_set_member_name (b, "n_classes");
  json_builder_add_int_value (b, c->n_classes);
  json_builder_set_member_name (b, "image_size");
  json_builder_add_int_value (b, c->image_size);
  json_builder_set_member_name (b, "dropout");
  json_builder_add_double_value (b, c->dropout);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
read_number (JsonObject *o, const char *name, gboolean integer, double *value, GError **error)
{
  if (!json_object_has_member (o, name))
    return TRUE;
  JsonNode *n = json_object_get_member (o, name);
  GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;
  if (t != G_TYPE_INT64 && (integer || t != G_TYPE_DOUBLE))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "the classifier's “%s” must be %s", name,
                   integer ? "an integer" : "a number");
      return FALSE;
    }
  *value = t == G_TYPE_INT64 ? (double) json_node_get_int (n) : json_node_get_double (n);
  return TRUE;
}

gboolean
dv_classifier_config_from_json (DvClassifierConfig *config, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "the classifier's config is not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  const char *arch_name = json_object_has_member (o, "arch") ? json_object_get_string_member (o, "arch") : NULL;
  if (!arch_name)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "the classifier's config names no “arch”");
      return FALSE;
    }
  DvClassifierArch arch;
  if (!dv_classifier_arch_from_name (arch_name, &arch, error))
    return FALSE;
  DvClassifierConfig c;
  dv_classifier_config_init (&c, arch);
  double width = c.width, n_classes = c.n_classes, image_size = c.image_size, dropout = c.dropout;
  if (!read_number (o, "width", FALSE, &width, error) || !read_number (o, "n_classes", TRUE, &n_classes, error) ||
      !read_number (o, "image_size", TRUE, &image_size, error) || !read_number (o, "dropout", FALSE, &dropout, error))
    return FALSE;
  c.width = width;
  c.n_classes = (int) CLAMP (n_classes, G_MININT, G_MAXINT);
  c.image_size = (int) CLAMP (image_size, G_MININT, G_MAXINT);
  c.dropout = (float) dropout;
  if (!dv_classifier_config_check (&c, error))
    return FALSE;
  *config = c;
  return TRUE;
}

struct DvClassifier {
  DvClassifierConfig config;
  DvParams params, running;
  DvResNet *resnet;       /* one of the two */
  DvMobileNet *mobilenet;
};

DvClassifier *
dv_classifier_new (const DvClassifierConfig *config)
{
  g_autoptr (GError) error = NULL;
  DV_CHECK (dv_classifier_config_check (config, &error), "dv_classifier_new: %s", error->message);
  DvClassifier *c = g_new0 (DvClassifier, 1);
  c->config = *config;
  dv_params_init (&c->params);
  dv_params_init (&c->running);
  if (config->arch == DV_CLASSIFIER_RESNET18)
    c->resnet = dv_resnet_new (&c->params, &c->running, config->width, config->n_classes, config->image_size);
  else
    c->mobilenet = dv_mobilenet_new (&c->params, &c->running, config->width, config->n_classes, config->image_size,
                                     config->dropout);
  dv_params_alloc (&c->params);
  dv_params_alloc (&c->running);
  return c;
}

void
dv_classifier_free (DvClassifier *c)
{
  if (!c)
    return;
  dv_resnet_free (c->resnet);
  dv_mobilenet_free (c->mobilenet);
  dv_params_clear (&c->params);
  dv_params_clear (&c->running);
  g_free (c);
}

const DvClassifierConfig *
dv_classifier_get_config (const DvClassifier *c)
{
  return &c->config;
}

DvParams *
dv_classifier_params (DvClassifier *c)
{
  return &c->params;
}

DvParams *
dv_classifier_running_stats (DvClassifier *c)
{
  return &c->running;
}

void
dv_classifier_init_weights (DvClassifier *c, guint64 seed)
{
  DvRng rng;
  dv_rng_init (&rng, seed);
  if (c->resnet)
    dv_resnet_init (c->resnet, c->params.data, c->running.data, &rng);
  else
    dv_mobilenet_init (c->mobilenet, c->params.data, c->running.data, &rng);
}

struct DvClassifierBuffers {
  int batch;
  DvResNetBuffers *resnet;
  DvMobileNetBuffers *mobilenet;
};

DvClassifierBuffers *
dv_classifier_buffers_new (const DvClassifier *c, int batch)
{
  DV_CHECK (batch > 0, "dv_classifier_buffers_new: bad batch %d", batch);
  DvClassifierBuffers *buf = g_new0 (DvClassifierBuffers, 1);
  buf->batch = batch;
  if (c->resnet)
    buf->resnet = dv_resnet_buffers_new (c->resnet, batch);
  else
    buf->mobilenet = dv_mobilenet_buffers_new (c->mobilenet, batch);
  return buf;
}

void
dv_classifier_buffers_free (DvClassifierBuffers *buf)
{
  if (!buf)
    return;
  dv_resnet_buffers_free (buf->resnet);
  dv_mobilenet_buffers_free (buf->mobilenet);
  g_free (buf);
}

int
dv_classifier_buffers_batch (const DvClassifierBuffers *buf)
{
  return buf->batch;
}

void
dv_classifier_forward (DvClassifier *c, const float *params, DvClassifierBuffers *buf, float *logits,
                       const float *images, int B, gboolean training, DvRng *rng)
{
  DV_CHECK (B > 0 && B <= buf->batch, "dv_classifier_forward: batch %d for buffers of %d", B, buf->batch);
  DV_CHECK ((c->resnet != NULL) == (buf->resnet != NULL), "dv_classifier_forward: buffers of another classifier");
  if (c->resnet)
    dv_resnet_forward (c->resnet, params, c->running.data, buf->resnet, logits, images, B, training);
  else
    dv_mobilenet_forward (c->mobilenet, params, c->running.data, buf->mobilenet, logits, images, B, training, rng);
}

void
dv_classifier_backward (const DvClassifier *c, const float *params, float *grads, DvClassifierBuffers *buf,
                        const float *dlogits, int B)
{
  DV_CHECK (B > 0 && B <= buf->batch, "dv_classifier_backward: batch %d for buffers of %d", B, buf->batch);
  DV_CHECK ((c->resnet != NULL) == (buf->resnet != NULL), "dv_classifier_backward: buffers of another classifier");
  if (c->resnet)
    dv_resnet_backward (c->resnet, params, grads, buf->resnet, dlogits, B);
  else
    dv_mobilenet_backward (c->mobilenet, params, grads, buf->mobilenet, dlogits, B);
}

/* ---- Files ---- */

static void
add_all (DvSafetensorsWriter *w, const DvParams *p)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      dv_safetensors_writer_add (w, info->name, DV_DTYPE_F32, info->ndim, info->shape, p->data + info->offset);
    }
}

gboolean
dv_classifier_save (const DvClassifier *c, const char *path, GHashTable *extra_metadata, GError **error)
{
  g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
  add_all (w, &c->params);
  add_all (w, &c->running);
  if (extra_metadata)
    {
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, extra_metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        dv_safetensors_writer_set_metadata (w, key, value);
    }
  g_autofree char *json = dv_classifier_config_to_json (&c->config);
  dv_safetensors_writer_set_metadata (w, "format", FORMAT);
  dv_safetensors_writer_set_metadata (w, "classifier_config", json);
  return dv_safetensors_writer_save (w, path, error);
}

/* Reads every tensor of p from st, refusing a missing, misshapen or non-finite one by name. */
static gboolean
read_all (DvSafetensors *st, DvParams *p, GError **error)
{
  for (guint i = 0; i < dv_params_n_tensors (p); i++)
    {
      const DvParamInfo *info = dv_params_info (p, i);
      if (!dv_safetensors_has (st, info->name))
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "tensor “%s” is missing", info->name);
          return FALSE;
        }
      float *data = p->data + info->offset;
      if (!dv_safetensors_read (st, info->name, info->ndim, info->shape, data, error))
        return FALSE;
      for (size_t k = 0; k < info->numel; k++)
        if (!isfinite (data[k]))
          {
            g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "tensor “%s” holds a non-finite value at %zu",
                         info->name, k);
            return FALSE;
          }
    }
  return TRUE;
}

DvClassifier *
dv_classifier_load (const char *path, GHashTable **metadata_out, GError **error)
{
  g_autoptr (DvSafetensors) st = dv_safetensors_open (path, error);
  if (!st)
    return NULL;
  const char *format = dv_safetensors_metadata (st, "format");
  if (g_strcmp0 (format, FORMAT) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: not a classifier file (format “%s”, expected “%s”)", path,
                   format ? format : "none", FORMAT);
      return NULL;
    }
  const char *json = dv_safetensors_metadata (st, "classifier_config");
  DvClassifierConfig config;
  if (!json)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: no “classifier_config” metadata", path);
      return NULL;
    }
  if (!dv_classifier_config_from_json (&config, json, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  g_autoptr (DvClassifier) c = dv_classifier_new (&config);
  if (!read_all (st, &c->params, error) || !read_all (st, &c->running, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (metadata_out)
    {
      GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      GHashTableIter iter;
      gpointer key, value;
      g_hash_table_iter_init (&iter, dv_safetensors_metadata_table (st));
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
      *metadata_out = copy;
    }
  return g_steal_pointer (&c);
}
