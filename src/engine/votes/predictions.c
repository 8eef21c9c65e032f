/* Per-object predictions on split e and ea: the file of `votes table --predictions`. */
#include "votes/predictions.h"

#include "views/rasterizer.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>

/* Sanity limit on the objects of a file being read. */
#define MAX_OBJECTS (DV_MULTIVIEW_MAX_PER_CLASS * 1000u)

static void
entry_free (gpointer data)
{
  DvVotesPredictionsEntry *e = data;
  g_free (e->file);
  g_free (e->sha256);
  g_free (e->seed);
  g_free (e->predicted_e);
  g_free (e->predicted_ea);
  g_free (e);
}

static void
predictions_alloc (DvVotesPredictions *p, guint n_objects, int n_classes)
{
  memset (p, 0, sizeof *p);
  p->n_objects = n_objects;
  p->n_classes = n_classes;
  p->class_names = g_new0 (char *, n_classes + 1);
  p->labels = g_new0 (guint8, MAX (n_objects, 1));
  p->object_indices = g_new0 (guint32, MAX (n_objects, 1));
  p->given_views = g_new0 (guint8, MAX (n_objects, 1));
  p->classifiers = g_ptr_array_new_with_free_func (entry_free);
}

void
dv_votes_predictions_init (DvVotesPredictions *p, const DvMultiviewSet *set, const char *const *class_names,
                           int n_classes)
{
  DV_CHECK (set->split == DV_SPLIT_E, "dv_votes_predictions_init: split %s, not e", dv_multiview_split_name (set->split));
  DV_CHECK (n_classes >= 1 && n_classes <= 255, "dv_votes_predictions_init: %d classes", n_classes);
  predictions_alloc (p, set->n_objects, n_classes);
  p->dataset_seed = set->seed;
  for (int c = 0; c < n_classes; c++)
    p->class_names[c] = g_strdup (class_names[c]);
  memcpy (p->labels, set->labels, set->n_objects);
  memcpy (p->object_indices, set->object_indices, sizeof (guint32) * set->n_objects);
  memcpy (p->given_views, set->given_views, set->n_objects);
}

void
dv_votes_predictions_clear (DvVotesPredictions *p)
{
  g_clear_pointer (&p->command, g_free);
  g_clear_pointer (&p->score_model_sha256, g_free);
  g_clear_pointer (&p->autoencoder_sha256, g_free);
  g_clear_pointer (&p->class_names, g_strfreev);
  g_clear_pointer (&p->labels, g_free);
  g_clear_pointer (&p->object_indices, g_free);
  g_clear_pointer (&p->given_views, g_free);
  g_clear_pointer (&p->classifiers, g_ptr_array_unref);
  p->n_objects = 0;
}

static DvVotesPredictionsEntry *
entry_new (const DvVotesPredictions *p, const char *file, const char *sha256, DvClassifierArch arch,
           DvVotesSet set, const char *seed)
{
  DvVotesPredictionsEntry *e = g_new0 (DvVotesPredictionsEntry, 1);
  e->file = g_strdup (file);
  e->sha256 = g_strdup (sha256);
  e->arch = arch;
  e->set = set;
  e->seed = g_strdup (seed);
  e->predicted_e = g_new0 (int, MAX (p->n_objects, 1));
  e->predicted_ea = g_new0 (int, MAX (p->n_objects, 1));
  return e;
}

void
dv_votes_predictions_add (DvVotesPredictions *p, const char *file, const char *sha256, DvClassifierArch arch,
                          DvVotesSet set, const char *seed, const DvVotesEvaluation *ev)
{
  DV_CHECK (ev->n_objects == p->n_objects && ev->n_classes == p->n_classes && ev->predicted_ea != NULL,
            "dv_votes_predictions_add: an evaluation of %u objects, %d classes%s; the file has %u, %d",
            ev->n_objects, ev->n_classes, ev->predicted_ea ? "" : " without ea", p->n_objects, p->n_classes);
  DvVotesPredictionsEntry *e = entry_new (p, file, sha256, arch, set, seed);
  memcpy (e->predicted_e, ev->predicted_e, sizeof (int) * p->n_objects);
  memcpy (e->predicted_ea, ev->predicted_ea, sizeof (int) * p->n_objects);
  g_ptr_array_add (p->classifiers, e);
}

const DvVotesPredictionsEntry *
dv_votes_predictions_find (const DvVotesPredictions *p, DvClassifierArch arch, DvVotesSet set)
{
  for (guint i = 0; p->classifiers && i < p->classifiers->len; i++)
    {
      const DvVotesPredictionsEntry *e = p->classifiers->pdata[i];
      if (e->arch == arch && e->set == set)
        return e;
    }
  return NULL;
}

void
dv_votes_predictions_confusion (const DvVotesPredictions *p, const DvVotesPredictionsEntry *e, gboolean ea,
                                DvVoteConfusion *confusion)
{
  dv_vote_confusion_init (confusion, p->n_classes);
  const int *predicted = ea ? e->predicted_ea : e->predicted_e;
  for (guint o = 0; o < p->n_objects; o++)
    dv_vote_confusion_add (confusion, p->labels[o], predicted[o]);
}

GArray *
dv_votes_predictions_cell (const DvVotesPredictions *p, const DvVotesPredictionsEntry *e, gboolean ea, int truth,
                           int predicted)
{
  GArray *cell = g_array_new (FALSE, FALSE, sizeof (guint));
  const int *pred = ea ? e->predicted_ea : e->predicted_e;
  for (guint o = 0; o < p->n_objects; o++)
    if (p->labels[o] == truth && pred[o] == predicted)
      g_array_append_val (cell, o);
  return cell;
}

/* ---- JSON ---- */

static void
add_ints (JsonBuilder *b, const char *name, const int *values, guint n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_int_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

char *
dv_votes_predictions_to_json (const DvVotesPredictions *p)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "format", DV_VOTES_PREDICTIONS_FORMAT);
  add_string (b, "split", "e");
  json_builder_set_member_name (b, "dataset_seed");
  json_builder_add_int_value (b, (gint64) p->dataset_seed);
  add_string (b, "command", p->command);
  add_string (b, "score_model_sha256", p->score_model_sha256);
  add_string (b, "autoencoder_sha256", p->autoencoder_sha256);
  json_builder_set_member_name (b, "class_names");
  json_builder_begin_array (b);
  for (int c = 0; c < p->n_classes; c++)
    json_builder_add_string_value (b, p->class_names[c]);
  json_builder_end_array (b);
  g_autofree int *column = g_new (int, MAX (p->n_objects, 1));
  json_builder_set_member_name (b, "objects");
  json_builder_begin_object (b);
  for (guint o = 0; o < p->n_objects; o++)
    column[o] = p->labels[o];
  add_ints (b, "class", column, p->n_objects);
  for (guint o = 0; o < p->n_objects; o++)
    column[o] = (int) p->object_indices[o];
  add_ints (b, "index", column, p->n_objects);
  for (guint o = 0; o < p->n_objects; o++)
    column[o] = p->given_views[o];
  add_ints (b, "view", column, p->n_objects);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "classifiers");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->classifiers->len; i++)
    {
      const DvVotesPredictionsEntry *e = p->classifiers->pdata[i];
      json_builder_begin_object (b);
      add_string (b, "file", e->file);
      add_string (b, "sha256", e->sha256);
      add_string (b, "arch", dv_classifier_arch_name (e->arch));
      add_string (b, "set", dv_votes_set_name (e->set));
      add_string (b, "seed", e->seed);
      add_ints (b, "predicted_e", e->predicted_e, p->n_objects);
      add_ints (b, "predicted_ea", e->predicted_ea, p->n_objects);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  /* One line per member would be 10,000 lines of numbers: compact, with a final newline. */
  g_autofree char *text = json_to_string (root, FALSE);
  return g_strconcat (text, "\n", NULL);
}

static gboolean
format_error (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
format_error (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *message = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "Not a votes predictions file: %s", message);
  return FALSE;
}

static JsonNode *
member (JsonObject *o, const char *name, JsonNodeType type, const char *what, GError **error)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (n == NULL || JSON_NODE_TYPE (n) != type)
    {
      format_error (error, "“%s” is missing or not %s", name, what);
      return NULL;
    }
  return n;
}

static gboolean
read_int (JsonNode *n, gint64 lo, gint64 hi, gint64 *value)
{
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (n);
  return *value >= lo && *value <= hi;
}

/* An array of n integers in lo…hi into out[n]. */
static gboolean
read_ints (JsonObject *o, const char *name, guint n, gint64 lo, gint64 hi, int *out, GError **error)
{
  JsonNode *node = member (o, name, JSON_NODE_ARRAY, "an array", error);
  if (!node)
    return FALSE;
  JsonArray *a = json_node_get_array (node);
  if (json_array_get_length (a) != n)
    return format_error (error, "“%s” has %u values, not %u (one per object)", name, json_array_get_length (a), n);
  for (guint i = 0; i < n; i++)
    {
      gint64 v;
      if (!read_int (json_array_get_element (a, i), lo, hi, &v))
        return format_error (error, "“%s”[%u] is not an integer in %" G_GINT64_FORMAT "…%" G_GINT64_FORMAT, name, i,
                             lo, hi);
      out[i] = (int) v;
    }
  return TRUE;
}

static const char *
read_string (JsonObject *o, const char *name, gboolean nullable, GError **error)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (nullable && n != NULL && JSON_NODE_HOLDS_NULL (n))
    return "";
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      format_error (error, "“%s” is missing or not a string", name);
      return NULL;
    }
  return json_node_get_string (n);
}

static gboolean
is_sha256 (const char *text)
{
  return strlen (text) == 64 && strspn (text, "0123456789abcdef") == 64;
}

static gboolean
read_entry (DvVotesPredictions *p, JsonNode *node, guint i, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return format_error (error, "classifier %u is not an object", i);
  JsonObject *o = json_node_get_object (node);
  const char *file = read_string (o, "file", FALSE, error);
  const char *sha = file ? read_string (o, "sha256", FALSE, error) : NULL;
  const char *arch_name = sha ? read_string (o, "arch", FALSE, error) : NULL;
  const char *set_name = arch_name ? read_string (o, "set", FALSE, error) : NULL;
  const char *seed = set_name ? read_string (o, "seed", TRUE, error) : NULL;
  if (!seed)
    return FALSE;
  DvClassifierArch arch;
  DvVotesSet set;
  g_autoptr (GError) local = NULL;
  if (!dv_classifier_arch_from_name (arch_name, &arch, &local) || !dv_votes_set_from_name (set_name, &set, &local))
    return format_error (error, "classifier %u: %s", i, local->message);
  if (!is_sha256 (sha))
    return format_error (error, "classifier %u: “sha256” is not 64 hexadecimal digits", i);
  /* The arrays' lengths first, so that memory follows the input's size. */
  const char *arrays[] = { "predicted_e", "predicted_ea" };
  for (int k = 0; k < 2; k++)
    {
      JsonNode *a = member (o, arrays[k], JSON_NODE_ARRAY, "an array", error);
      if (!a)
        return FALSE;
      if (json_array_get_length (json_node_get_array (a)) != p->n_objects)
        return format_error (error, "“%s” has %u values, not %u (one per object)", arrays[k],
                             json_array_get_length (json_node_get_array (a)), p->n_objects);
    }
  DvVotesPredictionsEntry *e = entry_new (p, file, sha, arch, set, seed[0] ? seed : NULL);
  g_ptr_array_add (p->classifiers, e);
  return read_ints (o, "predicted_e", p->n_objects, 0, p->n_classes - 1, e->predicted_e, error)
         && read_ints (o, "predicted_ea", p->n_objects, 0, p->n_classes - 1, e->predicted_ea, error);
}

static gboolean
read_root (DvVotesPredictions *p, JsonObject *root, GError **error)
{
  const char *format = read_string (root, "format", FALSE, error);
  if (!format)
    return FALSE;
  if (strcmp (format, DV_VOTES_PREDICTIONS_FORMAT) != 0)
    return format_error (error, "its format is “%s”, not %s", format, DV_VOTES_PREDICTIONS_FORMAT);
  const char *split = read_string (root, "split", FALSE, error);
  if (!split)
    return FALSE;
  if (strcmp (split, "e") != 0)
    return format_error (error, "its split is “%s”, not e", split);
  JsonNode *seed_node = member (root, "dataset_seed", JSON_NODE_VALUE, "an integer", error);
  gint64 seed;
  if (!seed_node)
    return FALSE;
  if (!read_int (seed_node, 0, G_MAXINT64, &seed))
    return format_error (error, "“dataset_seed” is not a non-negative integer");
  JsonNode *names_node = member (root, "class_names", JSON_NODE_ARRAY, "an array", error);
  JsonNode *objects_node = names_node ? member (root, "objects", JSON_NODE_OBJECT, "an object", error) : NULL;
  JsonNode *classifiers_node =
    objects_node ? member (root, "classifiers", JSON_NODE_ARRAY, "an array", error) : NULL;
  if (!classifiers_node)
    return FALSE;
  JsonArray *names = json_node_get_array (names_node);
  const guint C = json_array_get_length (names);
  if (C < 1 || C > 255)
    return format_error (error, "it has %u class names (1…255)", C);
  JsonObject *objects = json_node_get_object (objects_node);
  JsonNode *class_node = member (objects, "class", JSON_NODE_ARRAY, "an array", error);
  if (!class_node)
    return FALSE;
  const guint n = json_array_get_length (json_node_get_array (class_node));
  if (n > MAX_OBJECTS)
    return format_error (error, "it has %u objects (at most %u)", n, MAX_OBJECTS);
  predictions_alloc (p, n, (int) C);
  p->dataset_seed = (guint64) seed;
  const char *command = json_object_has_member (root, "command") ? read_string (root, "command", TRUE, error) : "";
  if (!command)
    return FALSE;
  p->command = command[0] ? g_strdup (command) : NULL;
  const char *names_[] = { "score_model_sha256", "autoencoder_sha256" };
  char **slots[] = { &p->score_model_sha256, &p->autoencoder_sha256 };
  for (int k = 0; k < 2; k++)
    {
      /* Optional: files of the first version may lack them. */
      const char *sha = json_object_has_member (root, names_[k]) ? read_string (root, names_[k], TRUE, error) : "";
      if (!sha)
        return FALSE;
      if (sha[0] && !is_sha256 (sha))
        return format_error (error, "“%s” is not 64 hexadecimal digits", names_[k]);
      *slots[k] = sha[0] ? g_strdup (sha) : NULL;
    }
  for (guint c = 0; c < C; c++)
    {
      JsonNode *e = json_array_get_element (names, c);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return format_error (error, "class name %u is not a string", c);
      p->class_names[c] = g_strdup (json_node_get_string (e));
    }
  g_autofree int *column = g_new (int, MAX (n, 1));
  if (!read_ints (objects, "class", n, 0, C - 1, column, error))
    return FALSE;
  for (guint o = 0; o < n; o++)
    p->labels[o] = (guint8) column[o];
  if (!read_ints (objects, "index", n, 0, DV_MULTIVIEW_MAX_PER_CLASS - 1, column, error))
    return FALSE;
  for (guint o = 0; o < n; o++)
    p->object_indices[o] = (guint32) column[o];
  if (!read_ints (objects, "view", n, 0, DV_VIEW_COUNT - 1, column, error))
    return FALSE;
  for (guint o = 0; o < n; o++)
    p->given_views[o] = (guint8) column[o];
  JsonArray *classifiers = json_node_get_array (classifiers_node);
  for (guint i = 0; i < json_array_get_length (classifiers); i++)
    if (!read_entry (p, json_array_get_element (classifiers, i), i, error))
      return FALSE;
  return TRUE;
}

gboolean
dv_votes_predictions_from_json (DvVotesPredictions *p, const char *json, GError **error)
{
  memset (p, 0, sizeof *p);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, json, -1, &local))
    return format_error (error, "%s", local->message);
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return format_error (error, "it is not a JSON object");
  if (!read_root (p, json_node_get_object (root), error))
    {
      dv_votes_predictions_clear (p);
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_votes_predictions_save (const DvVotesPredictions *p, const char *path, GError **error)
{
  g_autofree char *json = dv_votes_predictions_to_json (p);
  g_autoptr (GError) local = NULL;
  /* g_file_set_contents writes a temporary file and renames it over path. */
  if (!g_file_set_contents (path, json, -1, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot write %s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_votes_predictions_load (DvVotesPredictions *p, const char *path, GError **error)
{
  memset (p, 0, sizeof *p);
  g_autofree char *json = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &json, &length, &local))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot read %s: %s", path, local->message);
      return FALSE;
    }
  if (!dv_votes_predictions_from_json (p, json, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

char *
dv_votes_file_sha256 (const char *path, GError **error)
{
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local = NULL;
  if (!(mapped = g_mapped_file_new (path, FALSE, &local)))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Cannot read %s: %s", path, local->message);
      return NULL;
    }
  const gsize n = g_mapped_file_get_length (mapped);
  static const guchar empty[1];
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                      n ? (const guchar *) g_mapped_file_get_contents (mapped) : empty, n);
}
