/* The Votes page's evaluation panel: Table II from the installed classifiers'
 * metadata, the confusion matrix of the chosen one on split e or ea from the
 * predictions file beside them (shown only when that file names the installed
 * file by its SHA-256), and the objects of a selected cell, re-rendered from
 * the dataset seed (the dataset itself is not shipped) on a worker; an object
 * activated opens its real view on the Views page. */
#include "dv-votes-page-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/data_file.h"
#include "dv-class-names.h"
#include "dv-window.h"
#include "views/objects/registry.h"
#include "views/rasterizer.h"

#define THUMB_PX 88

static void
evaluation_result_free (gpointer data)
{
  EvaluationResult *r = data;
  if (r == NULL)
    return;
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    for (int s = 0; s < DV_N_VOTES_SETS; s++)
      {
        g_free (r->file_name[a][s]);
        g_free (r->sha256[a][s]);
      }
  g_free (r->predictions_name);
  g_free (r->predictions_error);
  g_free (r->score_sha256);
  g_free (r->ae_sha256);
  if (r->have_predictions)
    dv_votes_predictions_clear (&r->predictions);
  g_free (r);
}

/* ---- Reading the files (worker) ---- */

typedef struct {
  char *weights[DV_N_CLASSIFIER_ARCHS][DV_N_VOTES_SETS];  /* paths, NULL when not installed */
  char *predictions_path;                                  /* NULL when missing */
  char *predictions_name;
  char *score_path, *ae_path;                              /* the view models, NULL when not installed */
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    for (int s = 0; s < DV_N_VOTES_SETS; s++)
      g_free (d->weights[a][s]);
  g_free (d->predictions_path);
  g_free (d->predictions_name);
  g_free (d->score_path);
  g_free (d->ae_path);
  g_free (d);
}

static double
metadata_number (GHashTable *metadata, const char *key)
{
  const char *text = metadata ? g_hash_table_lookup (metadata, key) : NULL;
  char *end = NULL;
  double value = text ? g_ascii_strtod (text, &end) : NAN;
  return text && end != text && isfinite (value) ? value : NAN;
}

static gpointer
load_func (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  LoadData *d = data;
  EvaluationResult *r = g_new0 (EvaluationResult, 1);
  r->predictions_name = g_strdup (d->predictions_name);
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    for (int s = 0; s < DV_N_VOTES_SETS; s++)
      {
        r->accuracy[a][s][0] = r->accuracy[a][s][1] = NAN;
        GHashTable *meta = NULL;
        g_autoptr (DvClassifier) net = d->weights[a][s] ? dv_classifier_load (d->weights[a][s], &meta, NULL) : NULL;
        r->have_file[a][s] = net != NULL;
        r->accuracy[a][s][0] = metadata_number (meta, "accuracy_e");
        r->accuracy[a][s][1] = metadata_number (meta, "accuracy_ea");
        g_clear_pointer (&meta, g_hash_table_unref);
        if (net != NULL)
          {
            r->sha256[a][s] = dv_votes_file_sha256 (d->weights[a][s], NULL);
            r->file_name[a][s] = g_path_get_basename (d->weights[a][s]);
          }
        if (dv_check_cancelled (cancellable, error))
          {
            evaluation_result_free (r);
            return NULL;
          }
      }
  r->score_sha256 = d->score_path ? dv_votes_file_sha256 (d->score_path, NULL) : NULL;
  r->ae_sha256 = d->ae_path ? dv_votes_file_sha256 (d->ae_path, NULL) : NULL;
  if (d->predictions_path != NULL)
    {
      g_autoptr (GError) local = NULL;
      if (!dv_votes_predictions_load (&r->predictions, d->predictions_path, &local))
        r->predictions_error = g_strdup (local->message);
      else if (r->predictions.n_classes != DV_N_OBJECT_CLASSES)
        {
          r->predictions_error = g_strdup_printf (_("it has %d classes, not %d"), r->predictions.n_classes,
                                                  DV_N_OBJECT_CLASSES);
          dv_votes_predictions_clear (&r->predictions);
        }
      else
        r->have_predictions = TRUE;
    }
  return r;
}

static void
on_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (DvVotesPage) self = user_data;
  DvJob *job = DV_JOB (source);
  g_autoptr (GError) error = NULL;
  EvaluationResult *result = dv_job_run_finish (job, res, &error);
  if (job != self->eval_job)
    {
      /* Cancelled by dispose: nothing to show it in. */
      evaluation_result_free (result);
      return;
    }
  g_clear_object (&self->eval_job);
  if (self->eval_again)
    {
      evaluation_result_free (result);
      self->eval_again = FALSE;
      _dv_votes_page_load_evaluation (self);
      return;
    }
  if (result == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, DV_ERROR, DV_ERROR_CANCELLED))
        _dv_votes_page_show_error (self, error->message);
      _dv_votes_page_update_evaluation (self);
      return;
    }
  self->eval_entry = NULL;
  evaluation_result_free (self->evaluation);
  self->evaluation = result;
  _dv_votes_page_update_evaluation (self);
}

void
_dv_votes_page_load_evaluation (DvVotesPage *self)
{
  if (self->eval_job != NULL)
    {
      self->eval_again = TRUE;
      return;
    }
  LoadData *d = g_new0 (LoadData, 1);
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    for (int s = 0; s < DV_N_VOTES_SETS; s++)
      d->weights[a][s] = _dv_votes_page_find_weights (a, s, NULL);
  const char *dir = g_getenv ("DIMVIDA_VOTES_WEIGHTS");
  if (dir != NULL && dir[0] != '\0')
    {
      d->predictions_name = g_strdup (DV_VOTES_PREDICTIONS_FILE);
      d->predictions_path = g_build_filename (dir, DV_VOTES_PREDICTIONS_FILE, NULL);
      if (!g_file_test (d->predictions_path, G_FILE_TEST_IS_REGULAR))
        g_clear_pointer (&d->predictions_path, g_free);
    }
  else
    {
      d->predictions_name = g_build_filename ("weights", "votes", DV_VOTES_PREDICTIONS_FILE, NULL);
      d->predictions_path = dv_find_data_file (d->predictions_name, NULL);
    }
  /* The view models as the Views page finds them: ea's generated views are theirs. */
  const char *views_dir = g_getenv ("DIMVIDA_VIEWS_WEIGHTS");
  char **model_paths[] = { &d->ae_path, &d->score_path };
  const char *model_names[] = { "autoencoder.safetensors", "score.safetensors" };
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *relative = g_build_filename ("weights", "views", model_names[k], NULL);
      if (views_dir != NULL && views_dir[0] != '\0')
        {
          *model_paths[k] = g_build_filename (views_dir, model_names[k], NULL);
          if (!g_file_test (*model_paths[k], G_FILE_TEST_IS_REGULAR))
            g_clear_pointer (model_paths[k], g_free);
        }
      else
        *model_paths[k] = dv_find_data_file (relative, NULL);
    }
  self->eval_job = dv_job_new (_("Reading the evaluation"), load_func, d, load_data_free, evaluation_result_free);
  dv_job_run_async (self->eval_job, on_loaded, g_object_ref (self));
  _dv_votes_page_update_evaluation (self);
}

/* ---- Table II ---- */

static void
append_percent (GString *s, double value)
{
  if (isnan (value))
    g_string_append (s, "     — ");
  else
    g_string_append_printf (s, "%5.1f %%", 100.0 * value);
}

/* text, then spaces up to width characters (not bytes: "Ω" is two). */
static void
append_padded (GString *s, const char *text, int width)
{
  g_string_append (s, text);
  for (glong n = g_utf8_strlen (text, -1); n < width; n++)
    g_string_append_c (s, ' ');
}

/* The predictions of arch × set when they are of the installed file, else NULL. */
static const DvVotesPredictionsEntry *
entry_of_file (const EvaluationResult *r, DvClassifierArch a, DvVotesSet s)
{
  if (r == NULL || !r->have_predictions || r->sha256[a][s] == NULL)
    return NULL;
  const DvVotesPredictionsEntry *e = dv_votes_predictions_find (&r->predictions, a, s);
  return e && strcmp (e->sha256, r->sha256[a][s]) == 0 ? e : NULL;
}

/* Whether ea's generated views were made by the installed view models (TRUE when the file does not say). */
static gboolean
views_match (const EvaluationResult *r)
{
  const DvVotesPredictions *p = &r->predictions;
  return (p->score_model_sha256 == NULL || g_strcmp0 (p->score_model_sha256, r->score_sha256) == 0)
         && (p->autoencoder_sha256 == NULL || g_strcmp0 (p->autoencoder_sha256, r->ae_sha256) == 0);
}

/* Table II's form: architecture × {Ω_s, Ω_m} × {e, ea}, from the predictions file where it matches the installed
 * file, else from the file's metadata (what `dimvida votes train` measured, when it did). */
static char *
table_text (const EvaluationResult *r)
{
  GString *s = g_string_new (NULL);
  int arch_width = (int) g_utf8_strlen (_("Classifier"), -1), set_width = (int) g_utf8_strlen (_("Set"), -1);
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    arch_width = MAX (arch_width, (int) g_utf8_strlen (_dv_votes_arch_display_name (a), -1));
  for (int set = 0; set < DV_N_VOTES_SETS; set++)
    set_width = MAX (set_width, (int) g_utf8_strlen (_dv_votes_set_display_name (set), -1));
  /* Translators: the heads of Table II: the test split e (the real view alone) and ea (real + 3 generated). */
  append_padded (s, _("Classifier"), arch_width + 2);
  append_padded (s, _("Set"), set_width + 2);
  g_string_append_printf (s, "%7s  %7s\n", _("e"), _("ea"));
  for (int a = 0; a < DV_N_CLASSIFIER_ARCHS; a++)
    for (int set = 0; set < DV_N_VOTES_SETS; set++)
      {
        append_padded (s, _dv_votes_arch_display_name (a), arch_width + 2);
        append_padded (s, _dv_votes_set_display_name (set), set_width + 2);
        const DvVotesPredictionsEntry *e = entry_of_file (r, a, set);
        double acc[2] = { r->accuracy[a][set][0], r->accuracy[a][set][1] };
        for (int k = 0; k < (views_match (r) ? 2 : 1) && e != NULL; k++)
          {
            DvVoteConfusion confusion;
            dv_votes_predictions_confusion (&r->predictions, e, k == 1, &confusion);
            acc[k] = dv_vote_confusion_accuracy (&confusion);
            dv_vote_confusion_clear (&confusion);
          }
        if (!r->have_file[a][set])
          g_string_append (s, _("not installed"));
        else
          {
            append_percent (s, acc[0]);
            g_string_append (s, "  ");
            append_percent (s, acc[1]);
          }
        g_string_append_c (s, '\n');
      }
  g_string_truncate (s, s->len - 1); /* the last newline */
  return g_string_free (s, FALSE);
}

/* ---- A cell's objects ---- */

typedef struct {
  guint64 seed;
  guint n;
  guint8 *classes, *views;
  guint32 *indices;
} ThumbsData;

static void
thumbs_data_free (gpointer data)
{
  ThumbsData *d = data;
  g_free (d->classes);
  g_free (d->views);
  g_free (d->indices);
  g_free (d);
}

/* [n][64][64][3]: each object's real view, rendered as `dimvida views dataset` renders it. */
static gpointer
thumbs_func (DvJob *job, gpointer data, GCancellable *cancellable, GError **error)
{
  ThumbsData *d = data;
  const gsize bytes = (gsize) DV_VIEW_SIZE * DV_VIEW_SIZE * 3;
  guint8 *rgb = g_malloc ((gsize) MAX (d->n, 1) * bytes);
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (NULL);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  for (guint i = 0; i < d->n; i++)
    {
      if (dv_check_cancelled (cancellable, error))
        {
          dv_mesh_clear (&mesh);
          g_free (rgb);
          return NULL;
        }
      int given;
      dv_multiview_object (d->seed, DV_SPLIT_E, d->classes[i], d->indices[i], &mesh, &given);
      dv_rasterizer_render (rasterizer, &mesh, dv_view_azimuth_deg (d->views[i]), rgb + i * bytes);
    }
  dv_mesh_clear (&mesh);
  return rgb;
}

static const char *
view_name (int view)
{
  switch (view)
    {
    case DV_VIEW_FRONT: return _("front");
    case DV_VIEW_RIGHT: return _("right");
    case DV_VIEW_BACK: return _("back");
    default: return _("left");
    }
}

static void
on_thumbs (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (DvVotesPage) self = user_data;
  DvJob *job = DV_JOB (source);
  g_autoptr (GError) error = NULL;
  guint8 *rgb = dv_job_run_finish (job, res, &error);
  const gboolean current = job == self->thumbs_job;
  if (current)
    g_clear_object (&self->thumbs_job);
  if (rgb == NULL || !current)
    {
      g_free (rgb);
      return;
    }
  const gsize bytes = (gsize) DV_VIEW_SIZE * DV_VIEW_SIZE * 3;
  g_autoptr (GBytes) all = g_bytes_new_take (rgb, (gsize) MAX (self->cell_objects->len, 1) * bytes);
  guint i = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->cell_box));
       child != NULL && i < self->cell_objects->len; child = gtk_widget_get_next_sibling (child), i++)
    {
      GtkWidget *box = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      GtkPicture *picture = GTK_PICTURE (gtk_widget_get_first_child (box));
      g_autoptr (GBytes) one = g_bytes_new_from_bytes (all, i * bytes, bytes);
      g_autoptr (GdkTexture) texture =
        gdk_memory_texture_new (DV_VIEW_SIZE, DV_VIEW_SIZE, GDK_MEMORY_R8G8B8, one, DV_VIEW_SIZE * 3);
      gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
    }
}

static GtkWidget *
object_item (DvVotesPage *self, guint o)
{
  const DvVotesPredictions *p = &self->evaluation->predictions;
  const DvVotesPredictionsEntry *e = self->eval_entry;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *picture = gtk_picture_new ();
  gtk_widget_set_size_request (picture, THUMB_PX, THUMB_PX);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), picture);
  /* Translators: an object of split e: its index within its class and the view shown, e.g. "#12 · front". */
  g_autofree char *head = g_strdup_printf (_("#%u · %s"), p->object_indices[o], view_name (p->given_views[o]));
  GtkWidget *label = gtk_label_new (head);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  /* Translators: what a classifier predicted for an object on split e and on split ea. */
  g_autofree char *votes = g_strdup_printf (_("e: %s\nea: %s"), dv_class_display_name (e->predicted_e[o]),
                                            dv_class_display_name (e->predicted_ea[o]));
  GtkWidget *votes_label = gtk_label_new (votes);
  gtk_widget_add_css_class (votes_label, "caption");
  gtk_widget_add_css_class (votes_label, "dim-label");
  gtk_label_set_justify (GTK_LABEL (votes_label), GTK_JUSTIFY_CENTER);
  gtk_label_set_ellipsize (GTK_LABEL (votes_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (votes_label), 16);
  gtk_box_append (GTK_BOX (box), votes_label);
  /* Translators: an object for screen readers: its class, index and view, then the two predictions. */
  g_autofree char *name = g_strdup_printf (_("%s #%u, %s view: predicted %s on e, %s on ea"),
                                           dv_class_display_name (p->labels[o]), p->object_indices[o],
                                           view_name (p->given_views[o]), dv_class_display_name (e->predicted_e[o]),
                                           dv_class_display_name (e->predicted_ea[o]));
  gtk_widget_set_tooltip_text (box, _("Activate to open this object on the Views page, its real view given"));
  GtkWidget *child = gtk_flow_box_child_new ();
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return child;
}

/* Lists the selected cell's objects (nothing without a selection or a matrix). */
static void
list_cell (DvVotesPage *self)
{
  if (self->thumbs_job != NULL)
    {
      dv_job_cancel (self->thumbs_job);
      g_clear_object (&self->thumbs_job);
    }
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->cell_box))) != NULL)
    gtk_flow_box_remove (self->cell_box, child);
  g_clear_pointer (&self->cell_objects, g_array_unref);
  int t, p;
  const gboolean ea = gtk_toggle_button_get_active (self->split_ea_button);
  if (self->eval_entry == NULL || !dv_confusion_matrix_get_selected (self->matrix, &t, &p))
    {
      gtk_label_set_text (self->cell_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->cell_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->cell_box), FALSE);
      return;
    }
  const DvVotesPredictions *pred = &self->evaluation->predictions;
  self->cell_objects = dv_votes_predictions_cell (pred, self->eval_entry, ea, t, p);
  const guint n = self->cell_objects->len;
  /* Translators: the selected cell: true class, predicted class, the split, then a count of objects. */
  g_autofree char *text = g_strdup_printf (ngettext ("True: %s, predicted: %s on split %s — %u object",
                                                     "True: %s, predicted: %s on split %s — %u objects", n),
                                           dv_class_display_name (t), dv_class_display_name (p), ea ? "ea" : "e", n);
  gtk_label_set_text (self->cell_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->cell_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->cell_box), n > 0);
  if (n == 0)
    return;
  ThumbsData *d = g_new0 (ThumbsData, 1);
  d->seed = pred->dataset_seed;
  d->n = n;
  d->classes = g_new (guint8, n);
  d->views = g_new (guint8, n);
  d->indices = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    {
      const guint o = g_array_index (self->cell_objects, guint, i);
      d->classes[i] = pred->labels[o];
      d->views[i] = pred->given_views[o];
      d->indices[i] = pred->object_indices[o];
      gtk_flow_box_append (self->cell_box, object_item (self, o));
    }
  self->thumbs_job = dv_job_new (_("Rendering objects"), thumbs_func, d, thumbs_data_free, g_free);
  dv_job_run_async (self->thumbs_job, on_thumbs, g_object_ref (self));
}

static void
on_cell_selected (DvVotesPage *self, int truth, int predicted)
{
  list_cell (self);
}

/* An object of the cell opens on the Views page: its four views rendered, its real one given, its class known. */
static void
on_object_activated (DvVotesPage *self, GtkFlowBoxChild *child)
{
  const int i = gtk_flow_box_child_get_index (child);
  if (self->cell_objects == NULL || i < 0 || (guint) i >= self->cell_objects->len || self->views_page == NULL)
    return;
  const DvVotesPredictions *p = &self->evaluation->predictions;
  const guint o = g_array_index (self->cell_objects, guint, i);
  /* Four 64×64 views: a few milliseconds, not worth a worker. */
  g_autofree guint8 *rgb = g_malloc ((gsize) DV_VIEW_COUNT * DV_VIEW_SIZE * DV_VIEW_SIZE * 3);
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (NULL);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  int given;
  dv_multiview_object (p->dataset_seed, DV_SPLIT_E, p->labels[o], p->object_indices[o], &mesh, &given);
  dv_rasterizer_render_views (rasterizer, &mesh, rgb);
  dv_mesh_clear (&mesh);
  /* Translators: the title of an object of split e on the Views page: its class and index, e.g. "Chair #12 (e)". */
  g_autofree char *title = g_strdup_printf (_("%s #%u (split e)"), dv_class_display_name (p->labels[o]),
                                            p->object_indices[o]);
  g_autoptr (GError) error = NULL;
  if (!dv_views_page_open_views (self->views_page, rgb, DV_VIEW_SIZE, 1u << p->given_views[o], p->labels[o], title,
                                 &error))
    {
      _dv_votes_page_show_error (self, error->message);
      return;
    }
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), DV_TYPE_WINDOW);
  if (window != NULL)
    dv_window_set_page (DV_WINDOW (window), "views");
}

/* ---- Showing it ---- */

/* The chosen classifier's predictions when they are of its very file, else NULL and why not. */
static const DvVotesPredictionsEntry *
matching_entry (DvVotesPage *self, gboolean ea, char **why)
{
  const EvaluationResult *r = self->evaluation;
  const DvClassifierArch a = self->arch;
  const DvVotesSet s = self->set;
  g_autofree char *model = g_strdup_printf ("%s %s", _dv_votes_arch_display_name (a), _dv_votes_set_display_name (s));
  if (r == NULL)
    *why = g_strdup (_("Reading the evaluation…"));
  else if (!r->have_file[a][s])
    /* Translators: %s names a classifier, e.g. "ResNet-18 Ω_s". */
    *why = g_strdup_printf (_("No confusion matrix: %s is not installed."), model);
  else if (r->predictions_error != NULL)
    /* Translators: the reason follows. */
    *why = g_strdup_printf (_("The evaluation file cannot be read: %s"), r->predictions_error);
  else if (!r->have_predictions)
    /* Translators: %s is a file name such as weights/votes/evaluation.json. */
    *why = g_strdup_printf (_("No evaluation file: %s was not found. `dimvida votes table --predictions` writes it "
                              "(see data/weights/README.md)."),
                            r->predictions_name);
  else
    {
      const DvVotesPredictionsEntry *e = dv_votes_predictions_find (&r->predictions, a, s);
      if (e == NULL)
        /* Translators: a file name, then a classifier, e.g. "ResNet-18 Ω_s". */
        *why = g_strdup_printf (_("The evaluation does not match these weights: %s has no predictions of %s."),
                                r->predictions_name, model);
      else if (entry_of_file (r, a, s) == e && ea && !views_match (r))
        {
          const gboolean score = g_strcmp0 (r->predictions.score_model_sha256, r->score_sha256) != 0;
          const char *recorded = score ? r->predictions.score_model_sha256 : r->predictions.autoencoder_sha256;
          const char *installed = score ? r->score_sha256 : r->ae_sha256;
          /* Translators: the evaluation file; the view model (score model or autoencoder) whose generated views
           * it voted on and the start of its SHA-256, then that of the installed one. */
          *why = g_strdup_printf (_("The ea predictions do not match these weights: %s voted on views generated with "
                                    "a %s of SHA-256 %.12s…, the installed one is %.12s…. Split e is still this "
                                    "classifier’s; make the file again with the command in data/weights/README.md."),
                                  r->predictions_name, score ? _("score model") : _("autoencoder"), recorded,
                                  installed ? installed : _("not installed"));
        }
      else if (entry_of_file (r, a, s) != e)
        /* Translators: the evaluation file, the classifier file it was made with and the start of its SHA-256,
         * then the installed file and the start of its SHA-256. */
        *why = g_strdup_printf (_("The evaluation does not match these weights: %s was made with %s (SHA-256 "
                                  "%.12s…), the installed %s is %.12s…. Make it again with the command in "
                                  "data/weights/README.md."),
                                r->predictions_name, e->file, e->sha256, r->file_name[a][s],
                                r->sha256[a][s] ? r->sha256[a][s] : "?");
      else
        return e;
    }
  return NULL;
}

void
_dv_votes_page_update_evaluation (DvVotesPage *self)
{
  const EvaluationResult *r = self->evaluation;
  g_autofree char *table = r ? table_text (r) : NULL;
  gtk_label_set_text (self->eval_label, table ? table : _("Reading the classifiers’ files…"));

  const gboolean ea = gtk_toggle_button_get_active (self->split_ea_button);
  g_autofree char *why = NULL;
  const DvVotesPredictionsEntry *entry = matching_entry (self, ea, &why);
  /* The toggle stays usable while split e's predictions match. */
  const gboolean e_matches = entry != NULL || (ea && entry_of_file (r, self->arch, self->set) != NULL);
  self->eval_entry = entry;
  gtk_label_set_text (self->matrix_status_label, why ? why : "");
  gtk_widget_set_visible (GTK_WIDGET (self->matrix_status_label), why != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->matrix), entry != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->split_e_button), e_matches);
  gtk_widget_set_sensitive (GTK_WIDGET (self->split_ea_button), e_matches);
  if (entry == NULL)
    {
      gtk_label_set_text (self->matrix_title, _("Confusion matrix"));
      dv_confusion_matrix_set (self->matrix, NULL, 0, NULL);
      list_cell (self);
      return;
    }
  const DvVotesPredictions *p = &r->predictions;
  DvVoteConfusion confusion;
  dv_votes_predictions_confusion (p, entry, ea, &confusion);
  const char *names[DV_N_OBJECT_CLASSES];
  for (int c = 0; c < DV_N_OBJECT_CLASSES; c++)
    names[c] = dv_class_display_name (c);
  /* Translators: a classifier (architecture, training set), the split, its accuracy there, a count of objects. */
  g_autofree char *title = g_strdup_printf (_("Confusion matrix of %s %s on split %s: %.1f %% of %u objects right"),
                                            _dv_votes_arch_display_name (self->arch),
                                            _dv_votes_set_display_name (self->set), ea ? "ea" : "e",
                                            100.0 * dv_vote_confusion_accuracy (&confusion), p->n_objects);
  gtk_label_set_text (self->matrix_title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->matrix), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  /* The selection stays: the same cell, its objects listed again for this split or classifier. */
  dv_confusion_matrix_set (self->matrix, confusion.counts, DV_N_OBJECT_CLASSES, names);
  dv_vote_confusion_clear (&confusion);
  list_cell (self);
}

static void
on_split_toggled (DvVotesPage *self)
{
  _dv_votes_page_update_evaluation (self);
}

void
_dv_votes_page_evaluation_init (DvVotesPage *self)
{
  g_signal_connect_swapped (self->matrix, "cell-selected", G_CALLBACK (on_cell_selected), self);
  g_signal_connect_swapped (self->split_ea_button, "toggled", G_CALLBACK (on_split_toggled), self);
  g_signal_connect_swapped (self->cell_box, "child-activated", G_CALLBACK (on_object_activated), self);
  _dv_votes_page_load_evaluation (self);
}

void
_dv_votes_page_evaluation_dispose (DvVotesPage *self)
{
  if (self->eval_job != NULL)
    {
      dv_job_cancel (self->eval_job);
      g_clear_object (&self->eval_job);
    }
  if (self->thumbs_job != NULL)
    {
      dv_job_cancel (self->thumbs_job);
      g_clear_object (&self->thumbs_job);
    }
  self->eval_entry = NULL;
  g_clear_pointer (&self->evaluation, evaluation_result_free);
  g_clear_pointer (&self->cell_objects, g_array_unref);
}

/* ---- Public ---- */

gboolean
dv_votes_page_get_loading_evaluation (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), FALSE);
  return self->eval_job != NULL || self->thumbs_job != NULL;
}

void
dv_votes_page_set_evaluation_split (DvVotesPage *self, gboolean ea)
{
  g_return_if_fail (DV_IS_VOTES_PAGE (self));
  gtk_toggle_button_set_active (ea ? self->split_ea_button : self->split_e_button, TRUE);
}

gboolean
dv_votes_page_get_evaluation_matches (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), FALSE);
  return self->eval_entry != NULL;
}

guint
dv_votes_page_get_n_cell_objects (DvVotesPage *self)
{
  g_return_val_if_fail (DV_IS_VOTES_PAGE (self), 0);
  return self->cell_objects ? self->cell_objects->len : 0;
}
