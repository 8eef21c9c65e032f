/* The Playground page's files: the plot as PNG, the samples as CSV, the run
 * as JSON, the weights; configuration files; CSV import; the file choosers. */
#include "dv-playground-page-private.h"

#include "toy/sampler_config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define CONFIG_FORMAT "dimvida-playground-config"
#define MAX_CONFIG_BYTES (16 << 20)

/* ---- Export ---- */

static gboolean
write_bytes_atomically (const char *path, const void *data, gsize length, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, data, (gssize) length, &local)) {
    g_set_error (error, DV_ERROR, DV_ERROR_IO, _("Could not write %s: %s"), path, local->message);
    return FALSE;
  }
  return TRUE;
}

static cairo_status_t
append_png_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
dv_playground_page_export_png (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  int n = self->runs.compare ? 2 : 1;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self->plots.scatter[0])), 480);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self->plots.scatter[0])), 480);
  const int scale = 2;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, n * width * scale, height * scale);
  cairo_t *cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  for (int side = 0; side < n; side++) {
    cairo_save (cr);
    cairo_translate (cr, side * width, 0);
    dv_scatter_plot_render (self->plots.scatter[side], cr, width, height);
    cairo_restore (cr);
  }
  cairo_destroy (cr);
  GByteArray *png = g_byte_array_new ();
  cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_png_bytes, png);
  cairo_surface_destroy (surface);
  gboolean ok = FALSE;
  if (status != CAIRO_STATUS_SUCCESS)
    g_set_error (error, DV_ERROR, DV_ERROR_IO, _("Could not encode the PNG: %s"), cairo_status_to_string (status));
  else
    ok = write_bytes_atomically (path, png->data, png->len, error);
  g_byte_array_unref (png);
  return ok;
}

gboolean
dv_playground_page_export_csv (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  GString *csv = g_string_new (self->runs.compare ? "run,x,y\n" : "x,y\n");
  for (int side = 0; side < (self->runs.compare ? 2 : 1); side++) {
    Side *s = &self->runs.sides[side];
    char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i < s->n_live; i++) {
      g_ascii_formatd (x, sizeof x, "%.6g", s->live[2 * i]);
      g_ascii_formatd (y, sizeof y, "%.6g", s->live[2 * i + 1]);
      if (self->runs.compare)
        g_string_append_printf (csv, "%s,%s,%s\n", side_name (side), x, y);
      else
        g_string_append_printf (csv, "%s,%s\n", x, y);
    }
  }
  gboolean ok = write_bytes_atomically (path, csv->str, csv->len, error);
  g_string_free (csv, TRUE);
  return ok;
}

static void
add_run_config (JsonBuilder *builder, const DvPlaygroundConfig *cfg)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "train");
  json_builder_begin_object (builder);
  dv_toy_train_config_to_json (&cfg->train, builder);
  json_builder_end_object (builder);
  dv_toy_sampler_config_to_json (&cfg->sampler, builder);
  json_builder_set_member_name (builder, "use_ema");
  json_builder_add_boolean_value (builder, cfg->use_ema);
  json_builder_end_object (builder);
}

static void
add_data_description (DvPlaygroundPage *self, JsonBuilder *builder, gboolean with_points)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, _dv_playground_page_data_keys[self->data.source]);
  /* Drawn or imported points: the ones drawn or imported, not the cloud
   * the runs learn (spread from them again, seeded, when loaded). */
  const float *xy = self->data.source == DATA_DRAWN ? (const float *) self->data.drawn->data : self->data.csv.xy;
  size_t n = self->data.source == DATA_DRAWN ? self->data.drawn->len / 2 : self->data.csv.n;
  json_builder_set_member_name (builder, "points");
  json_builder_add_int_value (builder, self->data.source < DATA_DRAWN ? self->data.n_points : (gint64) n);
  if (self->data.source >= DATA_DRAWN && self->data.points.n != n) {
    json_builder_set_member_name (builder, "spread_to");
    json_builder_add_int_value (builder, (gint64) self->data.points.n);
  }
  if (with_points && self->data.source >= DATA_DRAWN) {
    /* Drawn or imported points cannot be made again from a name: keep them. */
    json_builder_set_member_name (builder, "xy");
    json_builder_begin_array (builder);
    for (size_t i = 0; i < 2 * n; i++)
      json_builder_add_double_value (builder, xy[i]);
    json_builder_end_array (builder);
  }
  json_builder_end_object (builder);
}

static gboolean
write_json (JsonBuilder *builder, const char *path, GError **error)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  gsize length;
  g_autofree char *text = json_generator_to_data (generator, &length);
  return write_bytes_atomically (path, text, length, error);
}

gboolean
dv_playground_page_export_json (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  add_data_description (self, builder, FALSE);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) self->data.seed);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (int side = 0; side < (self->runs.compare ? 2 : 1); side++) {
    Side *s = &self->runs.sides[side];
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, side_name (side));
    json_builder_set_member_name (builder, "config");
    add_run_config (builder, &self->runs.cfg[side]);
    json_builder_set_member_name (builder, "metrics");
    json_builder_begin_object (builder);
    if (s->run) {
      json_builder_set_member_name (builder, "steps");
      json_builder_add_int_value (builder, dv_playground_run_get_step (s->run));
      json_builder_set_member_name (builder, "training_time");
      json_builder_add_double_value (builder, dv_playground_run_get_elapsed (s->run));
      double kl = dv_playground_run_get_knn_kl (s->run);
      json_builder_set_member_name (builder, "kl_divergence");
      if (isnan (kl))
        json_builder_add_null_value (builder);
      else
        json_builder_add_double_value (builder, kl);
    }
    const double *xs, *ys;
    size_t n = dv_curve_plot_get_points (self->plots.divergence_plot, self->plots.divergence_series[side][0], &xs, &ys);
    if (n > 0) {
      const double *js;
      dv_curve_plot_get_points (self->plots.divergence_plot, self->plots.divergence_series[side][1], NULL, &js);
      json_builder_set_member_name (builder, "grid_kl");
      json_builder_add_double_value (builder, ys[n - 1]);
      json_builder_set_member_name (builder, "grid_js");
      json_builder_add_double_value (builder, js[n - 1]);
    }
    json_builder_end_object (builder);
    /* The loss curve, as the seed's train_losses. */
    n = dv_curve_plot_get_points (self->plots.loss_plot, self->plots.loss_series[side][0], &xs, &ys);
    json_builder_set_member_name (builder, "train_losses");
    json_builder_begin_array (builder);
    for (size_t i = 0; i < n; i++)
      json_builder_add_double_value (builder, ys[i]);
    json_builder_end_array (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return write_json (builder, path, error);
}

gboolean
dv_playground_page_export_weights (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  if (self->runs.sides[0].run == NULL) {
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("There is no model to save yet"));
    return FALSE;
  }
  if (!dv_playground_run_save_weights (self->runs.sides[0].run, path, error))
    return FALSE;
  if (self->runs.compare && self->runs.sides[1].run) {
    /* B goes beside A: name-B.safetensors. */
    g_autofree char *stem = g_str_has_suffix (path, ".safetensors")
                              ? g_strndup (path, strlen (path) - strlen (".safetensors"))
                              : g_strdup (path);
    g_autofree char *path_b = g_strconcat (stem, "-B.safetensors", NULL);
    return dv_playground_run_save_weights (self->runs.sides[1].run, path_b, error);
  }
  return TRUE;
}

/* ---- Configuration files ---- */

gboolean
dv_playground_page_save_config (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, CONFIG_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "data");
  add_data_description (self, builder, TRUE);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) self->data.seed);
  json_builder_set_member_name (builder, "steps_per_frame");
  json_builder_add_int_value (builder, self->runs.steps_per_frame);
  json_builder_set_member_name (builder, "compare");
  json_builder_add_boolean_value (builder, self->runs.compare);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (int side = 0; side < N_SIDES; side++)
    add_run_config (builder, &self->runs.cfg[side]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return write_json (builder, path, error);
}

static gboolean
parse_run_config (JsonNode *node, DvPlaygroundConfig *cfg, GError **error)
{
  dv_playground_config_init (cfg);
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("A run's settings are not a JSON object"));
    return FALSE;
  }
  JsonObject *object = json_node_get_object (node);
  JsonNode *train = json_object_get_member (object, "train");
  if (train == NULL) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("A run has no “train” settings"));
    return FALSE;
  }
  g_autofree char *train_text = json_to_string (train, FALSE);
  if (!dv_toy_train_config_from_json_string (&cfg->train, train_text, error))
    return FALSE;
  if (!dv_toy_sampler_config_from_json (&cfg->sampler, object, error))
    return FALSE;
  cfg->use_ema = json_object_get_boolean_member_with_default (object, "use_ema", cfg->use_ema);
  return dv_playground_config_check (cfg, error);
}

gboolean
dv_playground_page_load_config (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  /* Ours are a few kB: anything this large is not one, and would be parsed whole on the main thread. */
  GStatBuf st;
  if (g_stat (path, &st) == 0 && st.st_size > MAX_CONFIG_BYTES) {
    g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, _("%s is too large for a Playground configuration"), path);
    return FALSE;
  }
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_file (parser, path, &local)) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("Could not read %s: %s"), path, local->message);
    return FALSE;
  }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *object = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL || g_strcmp0 (json_object_get_string_member_with_default (object, "format", ""), CONFIG_FORMAT)) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("%s is not a Playground configuration"), path);
    return FALSE;
  }
  /* Everything is checked before anything changes. */
  DvPlaygroundConfig cfg[N_SIDES];
  JsonArray *runs = json_object_has_member (object, "runs") ? json_object_get_array_member (object, "runs") : NULL;
  if (runs == NULL || json_array_get_length (runs) != N_SIDES) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("%s should hold the settings of two runs"), path);
    return FALSE;
  }
  for (int side = 0; side < N_SIDES; side++)
    if (!parse_run_config (json_array_get_element (runs, side), &cfg[side], error))
      return FALSE;
  JsonObject *data = json_object_has_member (object, "data") ? json_object_get_object_member (object, "data") : NULL;
  const char *source_key = data ? json_object_get_string_member_with_default (data, "source", "moons") : "moons";
  int source = -1;
  for (int i = 0; i < N_DATA_SOURCES; i++)
    if (g_strcmp0 (source_key, _dv_playground_page_data_keys[i]) == 0)
      source = i;
  if (source < 0) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("Unknown data “%s”"), source_key);
    return FALSE;
  }
  gint64 n_points = data ? json_object_get_int_member_with_default (data, "points", self->data.n_points)
                         : self->data.n_points;
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (float));
  if (source >= DATA_DRAWN) {
    JsonArray *xy = data && json_object_has_member (data, "xy") ? json_object_get_array_member (data, "xy") : NULL;
    guint length = xy ? json_array_get_length (xy) : 0;
    for (guint i = 0; i < length; i++) {
      float v = (float) json_array_get_double_element (xy, i);
      if (!isfinite (v)) {
        g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("The stored points are not finite numbers"));
        return FALSE;
      }
      g_array_append_val (points, v);
    }
    if (length % 2 || length / 2 < DV_TOY_MIN_POINTS) {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("The stored points are missing or fewer than %d"),
                   DV_TOY_MIN_POINTS);
      return FALSE;
    }
  } else if (n_points < 100 || n_points > 100000) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("The number of points must be between 100 and 100,000"));
    return FALSE;
  }

  self->runs.cfg[0] = cfg[0];
  self->runs.cfg[1] = cfg[1];
  self->data.seed = (guint64) json_object_get_int_member_with_default (object, "seed", (gint64) self->data.seed);
  self->runs.steps_per_frame =
    (int) CLAMP (json_object_get_int_member_with_default (object, "steps_per_frame", 0), 0, 1000);
  self->data.source = source;
  if (source < DATA_DRAWN) {
    self->data.n_points = (int) n_points;
  } else if (source == DATA_DRAWN) {
    g_array_set_size (self->data.drawn, 0);
    g_array_append_vals (self->data.drawn, points->data, points->len);
    g_array_set_size (self->data.strokes, 0);
  } else {
    _dv_playground_page_copy_points (&self->data.csv, (const float *) points->data, points->len / 2);
  }
  gboolean compare = json_object_get_boolean_member_with_default (object, "compare", FALSE);
  _dv_playground_page_cancel_pending_rebuild (self);
  _dv_playground_page_sync_controls (self);
  _dv_playground_page_set_compare (self, compare);
  _dv_playground_page_reload_data_and_runs (self);
  _dv_playground_page_update_titles (self);
  return TRUE;
}

/* ---- The last session ---- */

gboolean
dv_playground_page_save_session (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && path != NULL, FALSE);
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int saved = errno;
    g_set_error (error, DV_ERROR, DV_ERROR_IO, _("Could not create %s: %s"), dir, g_strerror (saved));
    return FALSE;
  }
  return dv_playground_page_save_config (self, path, error);
}

void
dv_playground_page_restore_session (DvPlaygroundPage *self, const char *path)
{
  g_return_if_fail (DV_IS_PLAYGROUND_PAGE (self) && path != NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  g_autoptr (GError) error = NULL;
  if (!dv_playground_page_load_config (self, path, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not restore the last session: %s"), error->message);
    _dv_playground_page_show_toast (self, message);
  }
}

/* ---- CSV import ---- */

gboolean
dv_playground_page_import_csv (DvPlaygroundPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  DvToyData fresh = { 0 };
  g_autoptr (GError) local = NULL;
  if (!dv_toy_data_load_csv (&fresh, path, &local)) {
    /* The previous data stay: nothing has changed but the message. */
    g_autofree char *base = g_path_get_basename (path);
    g_autofree char *message = g_strdup_printf (_("Could not import %s: %s"), base, local->message);
    _dv_playground_page_set_data_error (self, message);
    _dv_playground_page_show_toast (self, message);
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  dv_toy_data_clear (&self->data.csv);
  self->data.csv = fresh;
  _dv_playground_page_set_data_error (self, NULL);
  self->data.source = DATA_CSV;
  self->controls.syncing = TRUE;
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->controls.data_row), DATA_CSV);
  self->controls.syncing = FALSE;
  _dv_playground_page_reload_data_and_runs (self);
  return TRUE;
}

/* ---- File choosers ---- */

static void
on_chooser_response (GtkNativeDialog *dialog, int response, DvPlaygroundPage *self)
{
  PageFileFunc func = g_object_get_data (G_OBJECT (dialog), "dv-file-func");
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autofree char *path = file ? g_file_get_path (file) : NULL;
    g_autoptr (GError) error = NULL;
    if (path && !func (self, path, &error)) {
      /* Import shows its own message. */
      if (func != dv_playground_page_import_csv)
        _dv_playground_page_show_toast (self, error->message);
    } else if (path && func != dv_playground_page_import_csv && func != dv_playground_page_load_config) {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *message = g_strdup_printf (_("Saved %s"), base);
      _dv_playground_page_show_toast (self, message);
    }
  }
  g_clear_object (&self->files.chooser);
}

void
_dv_playground_page_choose_file (DvPlaygroundPage *self, gboolean save, const char *title, const char *suggested,
                                 const char *pattern, PageFileFunc func)
{
  if (self->files.chooser)
    return;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN, save ? _("_Save") : _("_Open"),
    _("_Cancel"));
  if (suggested)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  if (pattern) {
    g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
    gtk_file_filter_add_pattern (filter, pattern);
    gtk_file_filter_set_name (filter, pattern);
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  }
  g_object_set_data (G_OBJECT (chooser), "dv-file-func", func);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  self->files.chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->files.chooser);
}

void
_dv_playground_page_files_dispose (DvPlaygroundPage *self)
{
  if (self->files.chooser)
    gtk_native_dialog_destroy (self->files.chooser);
  g_clear_object (&self->files.chooser);
}
