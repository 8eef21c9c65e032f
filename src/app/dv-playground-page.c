/* The Playground page: 2D diffusion and GAN-diffusion training live. */
#include "dv-playground-page.h"

#include "dv-config.h"
#include "dv-playground-run.h"
#include "dv-schedule-plot.h"
#include "dv-window.h"
#include "noise_schedule.h"
#include "toy/sampler_config.h"
#include "toy_data.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define N_SIDES 2
/* "Draw your own" paints on a fixed square, so the canvas never moves under the pen. */
#define DRAW_HALF_SIDE 4.0
#define BRUSH_POINTS 6
#define BRUSH_SPREAD 0.08
#define MAX_TRAIL_POINTS 250
#define FILM_FRAME_MS 40
/* New samples glide into place instead of jumping. */
#define GLIDE_MS 400
#define REBUILD_DELAY_MS 250
#define CONFIG_FORMAT "dimvida-playground-config"

typedef enum { DATA_CIRCLE, DATA_DINO, DATA_LINE, DATA_MOONS, DATA_DRAWN, DATA_CSV, N_DATA_SOURCES } DataSource;
static const char *const data_keys[N_DATA_SOURCES] = { "circle", "dino", "line", "moons", "drawn", "csv" };

typedef enum { CTL_INT, CTL_INT64, CTL_FLOAT, CTL_BOOL, CTL_CHOICE } ControlKind;
typedef enum { GROUP_DATA, GROUP_DIFFUSION, GROUP_MODEL, GROUP_GAN, GROUP_SEED, N_GROUPS } ControlGroup;

/* One control of a run's configuration: where it sits, what it says, and
 * which field of DvPlaygroundConfig it edits. */
typedef struct {
  ControlGroup group;
  ControlKind kind;
  size_t offset;
  const char *title;
  const char *tooltip;
  double min, max, step;
  int digits;
  const char *choices[5];
} ControlSpec;

#define CFG(member) offsetof (DvPlaygroundConfig, member)

static const ControlSpec run_controls[] = {
  { GROUP_DIFFUSION, CTL_CHOICE, CFG (train.schedule), N_("Noise schedule"),
    N_("How fast noise is added: βₜ grows linearly or quadratically from 10⁻⁴ to 0.02, or ᾱₜ follows a cosine or a sigmoid"),
    0, 0, 0, 0, { N_("Linear"), N_("Quadratic"), N_("Cosine"), N_("Sigmoid") } },
  { GROUP_DIFFUSION, CTL_INT, CFG (train.T), N_("Timesteps T"),
    N_("Number of noising steps: x_T = √ᾱ_T·x₀ + √(1−ᾱ_T)·ε is almost pure noise"), 10, 1000, 10, 0, { NULL } },
  { GROUP_DIFFUSION, CTL_CHOICE, CFG (sampler.kind), N_("Sampler"),
    N_("DDPM: x_{t−1} = μ(xₜ, x̂₀) + σₜ·z, random, all T steps; DDIM: deterministic, may skip steps"),
    0, 0, 0, 0, { N_("DDPM"), N_("DDIM"), NULL } },
  { GROUP_DIFFUSION, CTL_INT, CFG (sampler.steps), N_("DDIM steps"),
    N_("How many of the T timesteps DDIM visits (fewer is faster and coarser)"), 1, 1000, 1, 0, { NULL } },
  { GROUP_MODEL, CTL_INT, CFG (train.emb_dim), N_("Embedding size"),
    N_("x, y and t each become [sin(f·v), cos(f·v)] with this many numbers"), 4, 512, 2, 0, { NULL } },
  { GROUP_MODEL, CTL_INT, CFG (train.hidden), N_("Hidden size"),
    N_("Width of every hidden Linear layer of the denoiser"), 8, 1024, 8, 0, { NULL } },
  { GROUP_MODEL, CTL_INT, CFG (train.blocks), N_("Residual blocks"),
    N_("Blocks of h ← h + Linear(ReLU(h))"), 1, 8, 1, 0, { NULL } },
  { GROUP_MODEL, CTL_FLOAT, CFG (train.lr), N_("Learning rate"),
    N_("AdamW step size, decayed to 0 by a cosine over the run"), 1e-5, 1e-2, 1e-5, 5, { NULL } },
  { GROUP_MODEL, CTL_INT, CFG (train.batch_size), N_("Batch size"),
    N_("Points per training step: loss = mean ‖ε̂(xₜ, t) − ε‖²"), 8, 4096, 8, 0, { NULL } },
  { GROUP_MODEL, CTL_BOOL, CFG (use_ema), N_("Sample from EMA"),
    N_("Draw samples with an exponential moving average of the weights (β = 0.995), smoother than the raw weights"),
    0, 1, 1, 0, { NULL } },
  { GROUP_MODEL, CTL_INT64, CFG (train.steps), N_("Training steps"),
    N_("Length of the run: the learning rate reaches 0 here, then the kNN KL is measured"), 100, 1000000, 100, 0,
    { NULL } },
  { GROUP_GAN, CTL_BOOL, CFG (train.gan), N_("Discriminator"),
    N_("Train a discriminator D(x) beside the denoiser and add its verdict to the denoiser's loss"), 0, 1, 1, 0,
    { NULL } },
  { GROUP_GAN, CTL_FLOAT, CFG (train.lambda_adv), N_("λ adversarial"),
    N_("L = MSE(ε̂, ε) + λ_adv·BCE(D(fake), real)"), 0, 10, 0.1, 2, { NULL } },
  { GROUP_GAN, CTL_FLOAT, CFG (train.lambda_gp), N_("λ gradient penalty"),
    N_("D's loss adds λ_gp·E[(‖∇D(x̃)‖ − 1)²] on points between real and fake, keeping D smooth"), 0, 100, 1, 1,
    { NULL } },
  { GROUP_GAN, CTL_INT, CFG (train.d_layers), N_("D layers"),
    N_("Hidden Linear + ReLU layers of the discriminator (256 wide)"), 1, 16, 1, 0, { NULL } },
  { GROUP_GAN, CTL_FLOAT, CFG (train.d_lr), N_("D learning rate"), N_("AdamW step size of the discriminator"),
    1e-5, 1e-2, 1e-5, 5, { NULL } },
  { GROUP_GAN, CTL_CHOICE, CFG (train.fake), N_("Fake points"),
    N_("What D is shown as fake: the estimate x̂₀ = (xₜ − √(1−ᾱₜ)·ε̂)/√ᾱₜ, whose gradient reaches the denoiser, "
       "or the noisy xₜ of the published code, which gives the denoiser no gradient"),
    0, 0, 0, 0, { N_("Estimate x̂₀"), N_("Noisy xₜ (published)"), NULL } },
};
#define N_RUN_CONTROLS G_N_ELEMENTS (run_controls)

typedef struct {
  DvPlaygroundRun *run;
  guint samples_seen, heat_seen, field_seen, film_seen;
  size_t losses_seen, divergences_seen;
  float *live;          /* the last live samples */
  size_t n_live;
  float *film;          /* [frames][n][2] */
  int film_frames;
  size_t film_n;
  gboolean error_shown;
  int field_t;
  gboolean trained;     /* the run resumes the shipped weights */
  gboolean trained_synced; /* ...and the controls show what they were trained with */
} Side;

struct _DvPlaygroundPage {
  AdwBin parent_instance;

  /* Template children. */
  GtkWidget *sidebar_button;
  GtkWidget *sidebar;
  GtkWidget *side_switcher;
  GtkWidget *edit_a_button;
  GtkWidget *edit_b_button;
  GtkWidget *play_button;
  GtkWidget *step_button;
  GtkWidget *reset_button;
  GtkWidget *trained_button;
  GtkWidget *compare_button;
  GtkWidget *copy_button;
  GtkWidget *swap_button;
  GtkWidget *status_label;
  GtkWidget *export_button;
  DvScatterPlot *scatter_a;
  DvScatterPlot *scatter_b;
  GtkWidget *field_button;
  GtkWidget *field_scale;
  GtkWidget *film_button;
  GtkWidget *film_play_button;
  GtkWidget *film_scale;
  GtkWidget *film_label;
  GtkWidget *trails_check;
  DvCurvePlot *loss_plot;
  DvCurvePlot *divergence_plot;

  /* Made in code. */
  GtkWidget *group_boxes[N_GROUPS];
  GtkWidget *run_widgets[N_RUN_CONTROLS];
  GtkWidget *run_rows[N_RUN_CONTROLS];
  GtkWidget *data_row;
  GtkWidget *points_spin;
  GtkWidget *draw_row;
  GtkWidget *data_error_label;
  GtkWidget *seed_spin;
  GtkWidget *speed_spin;
  DvSchedulePlot *schedule_plot;

  /* State. */
  DvPlaygroundConfig cfg[N_SIDES];
  Side sides[N_SIDES];
  int editing;
  gboolean compare;
  gboolean show_field;
  gboolean show_film;
  gboolean playing;
  gboolean syncing;        /* writing widgets from the config: ignore their signals */
  DataSource source;
  DataSource previous_source;
  int n_points;
  guint64 seed;
  int steps_per_frame;
  DvToyData data;          /* what the runs train on */
  GArray *drawn;           /* float pairs painted by hand */
  GArray *strokes;         /* guint: where each stroke starts in drawn (in points) */
  DvToyData csv;           /* the last imported CSV */
  DvRng brush_rng;
  double x0, x1, y0, y1;   /* shared axes */
  guint rebuild_source;
  gboolean rebuild_pending[N_SIDES];
  guint film_timer;
  int loss_series[N_SIDES][2];
  int divergence_series[N_SIDES][2];
  GtkNativeDialog *chooser;
  char *last_message;      /* the last toast, for tests */
  char *pending_toast;     /* said before the page had a window */
};

G_DEFINE_FINAL_TYPE (DvPlaygroundPage, dv_playground_page, ADW_TYPE_BIN)

enum { PROP_0, PROP_COMPARE, PROP_SHOW_FIELD, PROP_SHOW_FILM, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* What a rebuilt run starts from: the shipped weights when the settings are
 * the ones they were trained with (one run, not side by side), fresh weights
 * whatever the settings (Reset), or the shipped weights whatever the
 * settings ("Load trained model"). */
typedef enum { START_AS_SETTINGS_SAY, START_FRESH, START_TRAINED } RunStart;

static void rebuild_run (DvPlaygroundPage *self, int side, RunStart start);
static void update_side (DvPlaygroundPage *self, int side);
static void set_compare (DvPlaygroundPage *self, gboolean compare);
static void sync_widgets (DvPlaygroundPage *self);
static void update_compare_titles (DvPlaygroundPage *self);

/* ---- Small helpers ---- */

static DvScatterPlot *
scatter (DvPlaygroundPage *self, int side)
{
  return side == 0 ? self->scatter_a : self->scatter_b;
}

static void
show_toast (DvPlaygroundPage *self, const char *message)
{
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root == NULL || !DV_IS_WINDOW (root)) {
    /* The page loads its first run while it is built: say it once it is in a window. */
    g_free (self->pending_toast);
    self->pending_toast = g_strdup (message);
    return;
  }
    dv_window_show_toast (DV_WINDOW (root), message);
}

static gboolean
show_pending_toast (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  g_autofree char *message = g_steal_pointer (&self->pending_toast);
  if (message)
    show_toast (self, message);
  return G_SOURCE_REMOVE;
}

static void
on_root_changed (DvPlaygroundPage *self, GParamSpec *pspec, gpointer unused)
{
  /* On the next turn of the loop: the window is still being built now. */
  if (self->pending_toast && gtk_widget_get_root (GTK_WIDGET (self)))
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_pending_toast, g_object_ref (self), g_object_unref);
}

static const char *
side_name (int side)
{
  return side == 0 ? "A" : "B";
}

static double
field_value (const DvPlaygroundConfig *cfg, const ControlSpec *spec)
{
  const char *base = (const char *) cfg + spec->offset;
  switch (spec->kind) {
  case CTL_INT:
  case CTL_CHOICE:
  case CTL_BOOL:
    return *(const int *) base;
  case CTL_INT64:
    return (double) *(const gint64 *) base;
  case CTL_FLOAT:
    return *(const float *) base;
  }
  return 0;
}

static void
set_field_value (DvPlaygroundConfig *cfg, const ControlSpec *spec, double value)
{
  char *base = (char *) cfg + spec->offset;
  switch (spec->kind) {
  case CTL_INT:
  case CTL_CHOICE:
  case CTL_BOOL:
    *(int *) base = (int) llround (value);
    break;
  case CTL_INT64:
    *(gint64 *) base = llround (value);
    break;
  case CTL_FLOAT:
    *(float *) base = (float) value;
    break;
  }
}

static void
set_accessible_label (GtkWidget *widget, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* ---- Data ---- */

static void
apply_data_to_plots (DvPlaygroundPage *self)
{
  if (self->source == DATA_DRAWN) {
    self->x0 = self->y0 = -DRAW_HALF_SIDE;
    self->x1 = self->y1 = DRAW_HALF_SIDE;
  } else {
    dv_scatter_plot_fit_limits (self->data.xy, self->data.n, &self->x0, &self->x1, &self->y0, &self->y1);
  }
  for (int side = 0; side < N_SIDES; side++) {
    dv_scatter_plot_set_data (scatter (self, side), self->data.xy, self->data.n);
    dv_scatter_plot_set_limits (scatter (self, side), self->x0, self->x1, self->y0, self->y1);
  }
  dv_scatter_plot_set_paint_mode (self->scatter_a, self->source == DATA_DRAWN);
  gtk_widget_set_visible (self->draw_row, self->source == DATA_DRAWN);
  gtk_widget_set_sensitive (self->points_spin, self->source < DATA_DRAWN);
}

static void
set_data_error (DvPlaygroundPage *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->data_error_label), message ? message : "");
  gtk_widget_set_visible (self->data_error_label, message != NULL && *message);
}

static void
copy_points (DvToyData *dst, const float *xy, size_t n)
{
  dv_toy_data_clear (dst);
  dst->xy = n ? g_memdup2 (xy, 2 * n * sizeof (float)) : NULL;
  dst->n = n;
}

/* Makes self->data from the current source. FALSE (and data unchanged) on error. */
static gboolean
load_data (DvPlaygroundPage *self, GError **error)
{
  if (self->source == DATA_DRAWN) {
    copy_points (&self->data, (const float *) self->drawn->data, self->drawn->len / 2);
  } else if (self->source == DATA_CSV) {
    copy_points (&self->data, self->csv.xy, self->csv.n);
  } else {
    DvToyData fresh = { 0 };
    if (!dv_toy_data_generate (&fresh, data_keys[self->source], (size_t) self->n_points, self->seed, error))
      return FALSE;
    dv_toy_data_clear (&self->data);
    self->data = fresh;
  }
  apply_data_to_plots (self);
  return TRUE;
}

static void
cancel_pending_rebuild (DvPlaygroundPage *self)
{
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  for (int side = 0; side < N_SIDES; side++)
    self->rebuild_pending[side] = FALSE;
}

static void
rebuild_all (DvPlaygroundPage *self, RunStart start)
{
  cancel_pending_rebuild (self);
  for (int side = 0; side < N_SIDES; side++)
    if (side == 0 || self->compare)
      rebuild_run (self, side, start);
}

static void
reload_data_and_runs (DvPlaygroundPage *self)
{
  g_autoptr (GError) error = NULL;
  if (!load_data (self, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not make the data: %s"), error->message);
    set_data_error (self, message);
    return;
  }
  set_data_error (self, NULL);
  rebuild_all (self, START_AS_SETTINGS_SAY);
}

static gboolean
rebuild_timeout (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  self->rebuild_source = 0;
  for (int side = 0; side < N_SIDES; side++)
    if (self->rebuild_pending[side]) {
      self->rebuild_pending[side] = FALSE;
      rebuild_run (self, side, START_AS_SETTINGS_SAY);
    }
  return G_SOURCE_REMOVE;
}

/* Settings can change many times a second (a held spin button): rebuild once they settle. */
static void
schedule_rebuild (DvPlaygroundPage *self, int side)
{
  self->rebuild_pending[side] = TRUE;
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  self->rebuild_source = g_timeout_add (REBUILD_DELAY_MS, rebuild_timeout, self);
}

/* ---- Runs ---- */

static char *
run_title (DvPlaygroundPage *self, int side)
{
  const DvPlaygroundConfig *cfg = &self->cfg[side];
  static const char *const schedules[] = { N_("linear"), N_("quadratic"), N_("cosine"), N_("sigmoid") };
  g_autofree char *gan = cfg->train.gan ? g_strdup_printf (_(", GAN %s"),
                                                           cfg->train.fake == DV_TOY_FAKE_X0 ? "x̂₀" : "xₜ")
                                        : g_strdup ("");
  g_autofree char *summary = g_strdup_printf (_("%s, T %d, %s%s"), _(schedules[cfg->train.schedule]),
                                              cfg->train.T, cfg->sampler.kind == DV_SAMPLER_DDIM ? "DDIM" : "DDPM", gan);
  if (self->compare)
    return g_strdup_printf ("%s · %s", side_name (side), summary);
  /* Translators: the scatter plot's title; %s summarises the settings. */
  return g_strdup_printf (_("Samples · %s"), summary);
}

static void
clear_side_view (DvPlaygroundPage *self, int side)
{
  Side *s = &self->sides[side];
  s->samples_seen = s->heat_seen = s->field_seen = s->film_seen = 0;
  s->losses_seen = s->divergences_seen = 0;
  s->error_shown = FALSE;
  g_clear_pointer (&s->live, g_free);
  g_clear_pointer (&s->film, g_free);
  s->n_live = 0;
  s->film_frames = 0;
  for (int i = 0; i < 2; i++) {
    dv_curve_plot_set_points (self->loss_plot, self->loss_series[side][i], NULL, NULL, 0);
    dv_curve_plot_set_points (self->divergence_plot, self->divergence_series[side][i], NULL, NULL, 0);
  }
  DvScatterPlot *plot = scatter (self, side);
  dv_scatter_plot_set_samples (plot, NULL, 0);
  dv_scatter_plot_set_heatmap (plot, NULL, 0, 0, 0, 0, 0, 0);
  dv_scatter_plot_set_arrows (plot, NULL, NULL, 0, NULL);
  dv_scatter_plot_set_trails (plot, NULL, 0, 0);
}

static void
on_run_updated (DvPlaygroundRun *run, DvPlaygroundPage *self)
{
  for (int side = 0; side < N_SIDES; side++)
    if (self->sides[side].run == run)
      update_side (self, side);
}

static void
drop_run (DvPlaygroundPage *self, int side)
{
  Side *s = &self->sides[side];
  if (s->run == NULL)
    return;
  g_signal_handlers_disconnect_by_data (s->run, self);
  dv_playground_run_cancel (s->run);
  g_clear_object (&s->run);
}

static int
field_timestep (DvPlaygroundPage *self)
{
  if (!self->show_field)
    return -1;
  return (int) gtk_range_get_value (GTK_RANGE (self->field_scale));
}

static void
update_play_button (DvPlaygroundPage *self)
{
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            self->playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  const char *label = self->playing ? _("Pause training (Space)") : _("Play: train continuously (Space)");
  gtk_widget_set_tooltip_text (self->play_button, label);
  set_accessible_label (self->play_button, self->playing ? _("Pause") : _("Play"));
}

/* The shipped checkpoint of the current dataset (see data/weights/README.md). */
static char *
trained_model_path (DvPlaygroundPage *self, GError **error)
{
  if (self->source >= DATA_DRAWN) {
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                 _("Trained models exist only for the circle, dino, line and moons data"));
    return NULL;
  }
  g_autofree char *relative = g_build_filename ("weights", "toy", data_keys[self->source], "model.safetensors", NULL);
  return dv_toy_find_data_file (relative, error);
}

/* Whether this side would train what the shipped weights were trained with:
 * the default data (points and seed) and the default training settings. */
static gboolean
settings_are_default (DvPlaygroundPage *self, int side)
{
  DvToyTrainConfig defaults, current = self->cfg[side].train;
  dv_toy_train_config_init (&defaults);
  current.seed = self->seed;
  if (self->source >= DATA_DRAWN || self->n_points != DV_TOY_DEFAULT_POINTS)
    return FALSE;
  g_autofree char *a = dv_toy_train_config_to_json_string (&current);
  g_autofree char *b = dv_toy_train_config_to_json_string (&defaults);
  return g_str_equal (a, b);
}

/* A run that resumes the shipped weights of the current dataset at their
 * last step (its worker loads them); NULL, with a toast saying why, when
 * there are none. */
static DvPlaygroundRun *
trained_run (DvPlaygroundPage *self, int side)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = trained_model_path (self, &error);
  if (path == NULL) {
    g_autofree char *message = g_strdup_printf (_("Could not load the trained model, training from scratch: %s"),
                                                error->message);
    show_toast (self, message);
    return NULL;
  }
  /* The loss curve of the training that made these weights, when shipped with them. */
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *history = g_build_filename (dir, "losses.csv.gz", NULL);
  return dv_playground_run_new_from_checkpoint (&self->cfg[side], path, history, self->data.xy, self->data.n,
                                                self->x0, self->x1, self->y0, self->y1);
}

/* Once the shipped weights are loaded, the controls show what they were
 * trained with; if they could not be loaded, train from scratch. Returns
 * FALSE when the side got a new run. */
static gboolean
settle_trained_run (DvPlaygroundPage *self, int side)
{
  Side *s = &self->sides[side];
  if (!s->trained || s->trained_synced)
    return TRUE;
  if (dv_playground_run_get_ready (s->run)) {
    s->trained_synced = TRUE;
    DvPlaygroundConfig loaded;
    dv_playground_run_get_config (s->run, &loaded);
    self->cfg[side].train = loaded.train;
    if (self->seed != loaded.train.seed || side == self->editing) {
      self->seed = loaded.train.seed;
      sync_widgets (self);
    }
    g_autofree char *title = run_title (self, side);
    dv_scatter_plot_set_title (scatter (self, side), title);
    return TRUE;
  }
  g_autofree char *error = dv_playground_run_dup_error (s->run);
  if (error == NULL)
    return TRUE;
  g_autofree char *message = g_strdup_printf (_("Could not load the trained model, training from scratch: %s"), error);
  show_toast (self, message);
  rebuild_run (self, side, START_FRESH);
  return FALSE;
}

static void
rebuild_run (DvPlaygroundPage *self, int side, RunStart start)
{
  drop_run (self, side);
  clear_side_view (self, side);
  DvScatterPlot *plot = scatter (self, side);
  g_autofree char *title = run_title (self, side);
  dv_scatter_plot_set_title (plot, title);
  if (self->data.n < DV_TOY_MIN_POINTS) {
    dv_scatter_plot_set_caption (plot, self->source == DATA_DRAWN
                                         ? _("Draw at least 10 points: click and drag on the plot")
                                         : _("No data"));
    return;
  }
  DvPlaygroundConfig cfg = self->cfg[side];
  cfg.train.seed = self->seed;
  g_autoptr (GError) error = NULL;
  DvPlaygroundRun *run = NULL;
  /* Side by side, both runs start from scratch so they train together,
   * unless asked for the trained model in so many words. */
  if (start == START_TRAINED
      || (start == START_AS_SETTINGS_SAY && !self->compare && settings_are_default (self, side)))
    run = trained_run (self, side);
  self->sides[side].trained = run != NULL;
  self->sides[side].trained_synced = FALSE;
  if (run == NULL)
    run = dv_playground_run_new (&cfg, self->data.xy, self->data.n, self->x0, self->x1, self->y0, self->y1, &error);
  if (run == NULL) {
    g_autofree char *message = g_strdup_printf (_("Cannot train with these settings: %s"), error->message);
    dv_scatter_plot_set_caption (plot, message);
    show_toast (self, message);
    return;
  }
  self->sides[side].run = run;
  g_signal_connect (run, "updated", G_CALLBACK (on_run_updated), self);
  dv_playground_run_set_steps_per_frame (run, self->steps_per_frame);
  dv_playground_run_set_field_timestep (run, field_timestep (self));
  if (self->show_film)
    dv_playground_run_request_film (run);
  if (self->playing)
    dv_playground_run_play (run);
  update_side (self, side);
}

static void
append_records (DvPlaygroundPage *self, int side)
{
  Side *s = &self->sides[side];
  g_autofree DvToyLossRecord *losses = NULL;
  size_t n = dv_playground_run_copy_losses (s->run, s->losses_seen, &losses);
  if (n > 0) {
    gboolean gan = self->cfg[side].train.gan;
    g_autofree double *x = g_new (double, n);
    g_autofree double *y = g_new (double, n);
    g_autofree double *d = g_new (double, n);
    for (size_t i = 0; i < n; i++)
      x[i] = losses[i].step, y[i] = losses[i].loss, d[i] = losses[i].d_loss;
    dv_curve_plot_append_points (self->loss_plot, self->loss_series[side][0], x, y, n);
    if (gan)
      dv_curve_plot_append_points (self->loss_plot, self->loss_series[side][1], x, d, n);
    s->losses_seen += n;
  }
  g_autofree DvPlaygroundDivergenceRecord *divs = NULL;
  n = dv_playground_run_copy_divergences (s->run, s->divergences_seen, &divs);
  for (size_t i = 0; i < n; i++) {
    dv_curve_plot_append (self->divergence_plot, self->divergence_series[side][0], divs[i].step, divs[i].grid_kl);
    dv_curve_plot_append (self->divergence_plot, self->divergence_series[side][1], divs[i].step, divs[i].grid_js);
  }
  s->divergences_seen += n;
}

static void show_film_frame (DvPlaygroundPage *self, int frame);
static void on_film_play_clicked (DvPlaygroundPage *self);

static void
update_status (DvPlaygroundPage *self)
{
  GString *status = g_string_new (NULL);
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->sides[side];
    if (s->run == NULL || (side == 1 && !self->compare))
      continue;
    double kl = dv_playground_run_get_knn_kl (s->run);
    if (!isnan (kl))
      g_string_append_printf (status, "%s%s%.3f", status->len ? " · " : "",
                              self->compare ? (side == 0 ? "A " : "B ") : "", kl);
  }
  if (status->len) {
    /* Translators: %s lists the kNN KL of each run, in bits. */
    g_autofree char *text = g_strdup_printf (_("kNN KL (10,000 samples): %s bits"), status->str);
    gtk_label_set_text (GTK_LABEL (self->status_label), text);
  } else {
    gtk_label_set_text (GTK_LABEL (self->status_label), "");
  }
  g_string_free (status, TRUE);
}

static void
update_side (DvPlaygroundPage *self, int side)
{
  Side *s = &self->sides[side];
  if (s->run == NULL || !settle_trained_run (self, side))
    return;
  DvScatterPlot *plot = scatter (self, side);
  gboolean film_mode = self->show_film;
  g_autofree char *warning = dv_playground_run_take_warning (s->run);
  if (warning)
    show_toast (self, warning);

  float *xy = NULL;
  size_t n = 0;
  guint before = s->samples_seen;
  dv_playground_run_copy_samples (s->run, &s->samples_seen, &xy, &n);
  if (s->samples_seen != before) {
    g_free (s->live);
    s->live = xy;
    s->n_live = n;
    if (!film_mode || s->film == NULL)
      dv_scatter_plot_glide_to_samples (plot, s->live, s->n_live, GLIDE_MS);
  }
  if (self->cfg[side].train.gan) {
    float *heat = NULL;
    before = s->heat_seen;
    dv_playground_run_copy_heatmap (s->run, &s->heat_seen, &heat);
    if (s->heat_seen != before && heat) {
      dv_scatter_plot_set_heatmap (plot, heat, DV_PLAYGROUND_HEAT_GRID, DV_PLAYGROUND_HEAT_GRID, self->x0, self->x1,
                                   self->y0, self->y1);
      g_free (heat);
    }
  }
  float *origins = NULL, *vectors = NULL;
  before = s->field_seen;
  dv_playground_run_copy_field (s->run, &s->field_seen, &origins, &vectors, &n, &s->field_t);
  if (s->field_seen != before) {
    /* Translators: the legend of the denoising field's arrows at timestep t. */
    g_autofree char *label = g_strdup_printf (_("x̂₀ − x at t = %d"), s->field_t);
    dv_scatter_plot_set_arrows (plot, origins, vectors, n, label);
    g_free (origins);
    g_free (vectors);
  }
  float *frames = NULL;
  before = s->film_seen;
  dv_playground_run_copy_film (s->run, &s->film_seen, &frames, &s->film_frames, &s->film_n);
  if (s->film_seen != before) {
    g_free (s->film);
    s->film = frames;
    if (film_mode) {
      int n_frames = 0;
      for (int i = 0; i < N_SIDES; i++)
        n_frames = MAX (n_frames, self->sides[i].film_frames);
      gtk_range_set_range (GTK_RANGE (self->film_scale), 0, MAX (n_frames - 1, 1));
      show_film_frame (self, (int) gtk_range_get_value (GTK_RANGE (self->film_scale)));
      /* A fresh film plays by itself, from noise to data. */
      if (self->film_timer == 0 && gtk_range_get_value (GTK_RANGE (self->film_scale)) == 0)
        on_film_play_clicked (self);
    }
  }
  append_records (self, side);

  /* The caption: progress, time, speed. */
  gint64 step = dv_playground_run_get_step (s->run), total = dv_playground_run_get_total_steps (s->run);
  double elapsed = dv_playground_run_get_elapsed (s->run), rate = dv_playground_run_get_steps_per_second (s->run);
  GString *caption = g_string_new (NULL);
  /* Steps are at most 1,000,000, so int holds them. */
  g_string_append_printf (caption, _("step %d / %d"), (int) step, (int) total);
  if (!dv_playground_run_get_ready (s->run))
    g_string_append (caption, s->trained ? _(" · loading the trained model…") : _(" · preparing the model…"));
  else if (s->trained && elapsed == 0)
    /* Translators: the caption of a plot showing the model shipped with the app. */
    g_string_append (caption, _(" · the shipped trained model"));
  else
    g_string_append_printf (caption, " · %.1f s", elapsed);
  if (dv_playground_run_get_playing (s->run) && rate > 0)
    g_string_append_printf (caption, _(" · %.0f steps/s"), rate);
  double kl = dv_playground_run_get_knn_kl (s->run);
  if (!isnan (kl))
    g_string_append_printf (caption, _(" · kNN KL %.3f bits"), kl);
  dv_scatter_plot_set_caption (plot, caption->str);
  g_string_free (caption, TRUE);

  g_autofree char *error = dv_playground_run_dup_error (s->run);
  if (error && !s->error_shown) {
    s->error_shown = TRUE;
    g_autofree char *message = g_strdup_printf (_("Run %s stopped: %s"), side_name (side), error);
    show_toast (self, message);
    dv_scatter_plot_set_caption (plot, message);
  }
  update_status (self);

  /* Every run stopped by itself (at its end, or on an error): show Play again. */
  if (self->playing) {
    gboolean any_playing = FALSE;
    for (int i = 0; i < N_SIDES; i++)
      if (self->sides[i].run && dv_playground_run_get_playing (self->sides[i].run))
        any_playing = TRUE;
    if (!any_playing) {
      self->playing = FALSE;
      update_play_button (self);
    }
  }
}

/* ---- Reverse-process player ---- */

static void
show_film_frame (DvPlaygroundPage *self, int frame)
{
  gboolean trails = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->trails_check));
  int n_frames_shown = 0;
  for (int side = 0; side < N_SIDES; side++) {
    Side *s = &self->sides[side];
    if (s->film == NULL || s->film_frames == 0)
      continue;
    int k = CLAMP (frame, 0, s->film_frames - 1);
    n_frames_shown = MAX (n_frames_shown, s->film_frames);
    DvScatterPlot *plot = scatter (self, side);
    dv_scatter_plot_set_samples (plot, s->film + (size_t) k * s->film_n * 2, s->film_n);
    if (trails && k > 0) {
      int m = (int) MIN (s->film_n, MAX_TRAIL_POINTS);
      g_autofree float *paths = g_new (float, (size_t) (k + 1) * m * 2);
      for (int f = 0; f <= k; f++)
        memcpy (paths + (size_t) f * m * 2, s->film + (size_t) f * s->film_n * 2, (size_t) m * 2 * sizeof (float));
      dv_scatter_plot_set_trails (plot, paths, m, k + 1);
    } else {
      dv_scatter_plot_set_trails (plot, NULL, 0, 0);
    }
  }
  if (n_frames_shown > 0) {
    /* Translators: position in the reverse-process film: step k of K. */
    g_autofree char *label = g_strdup_printf (_("step %d / %d"), MIN (frame, n_frames_shown - 1), n_frames_shown - 1);
    gtk_label_set_text (GTK_LABEL (self->film_label), label);
  } else {
    gtk_label_set_text (GTK_LABEL (self->film_label), _("sampling…"));
  }
}

static void
stop_film_timer (DvPlaygroundPage *self)
{
  g_clear_handle_id (&self->film_timer, g_source_remove);
  gtk_button_set_icon_name (GTK_BUTTON (self->film_play_button), "media-playback-start-symbolic");
}

static gboolean
film_tick (gpointer user_data)
{
  DvPlaygroundPage *self = user_data;
  GtkAdjustment *adj = gtk_range_get_adjustment (GTK_RANGE (self->film_scale));
  double value = gtk_adjustment_get_value (adj) + 1;
  if (value > gtk_adjustment_get_upper (adj)) {
    self->film_timer = 0;
    stop_film_timer (self);
    return G_SOURCE_REMOVE;
  }
  gtk_adjustment_set_value (adj, value);
  return G_SOURCE_CONTINUE;
}

static void
on_film_play_clicked (DvPlaygroundPage *self)
{
  if (self->film_timer) {
    stop_film_timer (self);
    return;
  }
  GtkAdjustment *adj = gtk_range_get_adjustment (GTK_RANGE (self->film_scale));
  if (gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj))
    gtk_adjustment_set_value (adj, 0);
  self->film_timer = g_timeout_add (FILM_FRAME_MS, film_tick, self);
  gtk_button_set_icon_name (GTK_BUTTON (self->film_play_button), "media-playback-pause-symbolic");
}

static void
on_film_scale_changed (DvPlaygroundPage *self)
{
  if (self->show_film)
    show_film_frame (self, (int) gtk_range_get_value (GTK_RANGE (self->film_scale)));
}

static void
on_film_toggled (DvPlaygroundPage *self)
{
  gboolean on = self->show_film;
  gtk_widget_set_sensitive (self->film_play_button, on);
  gtk_widget_set_sensitive (self->film_scale, on);
  stop_film_timer (self);
  if (on) {
    gtk_range_set_value (GTK_RANGE (self->film_scale), 0);
    for (int side = 0; side < N_SIDES; side++)
      if (self->sides[side].run) {
        g_clear_pointer (&self->sides[side].film, g_free);
        self->sides[side].film_frames = 0;
        dv_playground_run_request_film (self->sides[side].run);
      }
    show_film_frame (self, 0);
  } else {
    gtk_label_set_text (GTK_LABEL (self->film_label), "");
    for (int side = 0; side < N_SIDES; side++) {
      dv_scatter_plot_set_trails (scatter (self, side), NULL, 0, 0);
      dv_scatter_plot_set_samples (scatter (self, side), self->sides[side].live, self->sides[side].n_live);
    }
  }
}

/* ---- Denoising field ---- */

static void
on_field_changed (DvPlaygroundPage *self)
{
  gboolean on = self->show_field;
  gtk_widget_set_sensitive (self->field_scale, on);
  for (int side = 0; side < N_SIDES; side++)
    if (self->sides[side].run)
      dv_playground_run_set_field_timestep (self->sides[side].run, field_timestep (self));
}

/* ---- Controls ---- */

static void
update_schedule_plot (DvPlaygroundPage *self)
{
  const DvToyTrainConfig *train = &self->cfg[self->editing].train;
  DvNoiseSchedule sched;
  if (dv_noise_schedule_init (&sched, train->schedule, train->T, train->beta_start, train->beta_end, NULL)) {
    dv_schedule_plot_set_schedule (self->schedule_plot, sched.betas, sched.alphas_cumprod, sched.T);
    dv_noise_schedule_clear (&sched);
  }
}

static void
update_sensitivity (DvPlaygroundPage *self)
{
  const DvPlaygroundConfig *cfg = &self->cfg[self->editing];
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    gboolean sensitive = TRUE;
    if (run_controls[i].group == GROUP_GAN && run_controls[i].offset != CFG (train.gan))
      sensitive = cfg->train.gan;
    if (run_controls[i].offset == CFG (sampler.steps))
      sensitive = cfg->sampler.kind == DV_SAMPLER_DDIM;
    gtk_widget_set_sensitive (self->run_rows[i], sensitive);
  }
  /* The field's t and DDIM's step count cannot exceed T. */
  for (guint i = 0; i < N_RUN_CONTROLS; i++)
    if (run_controls[i].offset == CFG (sampler.steps))
      gtk_spin_button_set_range (GTK_SPIN_BUTTON (self->run_widgets[i]), 1, cfg->train.T);
  gtk_range_set_range (GTK_RANGE (self->field_scale), 0, MAX (self->cfg[0].train.T - 1, 1));
}

static void
control_changed (DvPlaygroundPage *self, guint index)
{
  if (self->syncing)
    return;
  const ControlSpec *spec = &run_controls[index];
  GtkWidget *widget = self->run_widgets[index];
  double value = 0;
  switch (spec->kind) {
  case CTL_INT:
  case CTL_INT64:
  case CTL_FLOAT:
    value = gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget));
    break;
  case CTL_BOOL:
    value = gtk_switch_get_active (GTK_SWITCH (widget));
    break;
  case CTL_CHOICE:
    value = adw_combo_row_get_selected (ADW_COMBO_ROW (widget));
    break;
  }
  DvPlaygroundConfig *cfg = &self->cfg[self->editing];
  set_field_value (cfg, spec, value);
  if (cfg->sampler.steps > cfg->train.T)
    cfg->sampler.steps = cfg->train.T;
  self->syncing = TRUE;
  update_sensitivity (self);
  self->syncing = FALSE;
  update_schedule_plot (self);
  schedule_rebuild (self, self->editing);
}

static void
on_spin_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  control_changed (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "dv-control")));
}

static void
on_notify_control (GObject *object, GParamSpec *pspec, DvPlaygroundPage *self)
{
  control_changed (self, GPOINTER_TO_UINT (g_object_get_data (object, "dv-control")));
}

static void
sync_widgets (DvPlaygroundPage *self)
{
  self->syncing = TRUE;
  const DvPlaygroundConfig *cfg = &self->cfg[self->editing];
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    double value = field_value (cfg, &run_controls[i]);
    GtkWidget *widget = self->run_widgets[i];
    switch (run_controls[i].kind) {
    case CTL_INT:
    case CTL_INT64:
    case CTL_FLOAT:
      if (run_controls[i].offset == CFG (sampler.steps))
        gtk_spin_button_set_range (GTK_SPIN_BUTTON (widget), 1, cfg->train.T);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), value);
      break;
    case CTL_BOOL:
      gtk_switch_set_active (GTK_SWITCH (widget), value != 0);
      break;
    case CTL_CHOICE:
      adw_combo_row_set_selected (ADW_COMBO_ROW (widget), (guint) value);
      break;
    }
  }
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->data_row), self->source);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->points_spin), self->n_points);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->seed_spin), (double) self->seed);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->speed_spin), self->steps_per_frame);
  update_sensitivity (self);
  self->syncing = FALSE;
  update_schedule_plot (self);
}

static GtkWidget *
add_group (DvPlaygroundPage *self, ControlGroup group, const char *title, const char *description)
{
  GtkWidget *box = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (box), title);
  if (description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (box), description);
  gtk_box_append (GTK_BOX (self->sidebar), box);
  self->group_boxes[group] = box;
  return box;
}

/* A row titled `title` with `tooltip`, holding a spin button; returns the spin button. */
static GtkWidget *
add_spin_row (GtkWidget *group, const char *title, const char *tooltip, double min, double max, double step,
              int digits, GtkWidget **row_out)
{
  GtkWidget *row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_tooltip_text (row, tooltip);
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (spin, tooltip);
  /* Named by the row's title (the row makes it the activatable widget): an
   * accessible label as well would be read twice in GTK 4.8. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  if (row_out)
    *row_out = row;
  return spin;
}

static GtkWidget *
add_combo_row (GtkWidget *group, const char *title, const char *tooltip, const char *const *choices)
{
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);
  for (int i = 0; choices[i]; i++)
    gtk_string_list_append (model, _(choices[i]));
  GtkWidget *row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  gtk_widget_set_tooltip_text (row, tooltip);
  /* The row names itself from its title. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
build_run_controls (DvPlaygroundPage *self)
{
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    const ControlSpec *spec = &run_controls[i];
    GtkWidget *group = self->group_boxes[spec->group];
    const char *title = _(spec->title), *tooltip = _(spec->tooltip);
    GtkWidget *widget, *row;
    if (spec->kind == CTL_CHOICE) {
      widget = row = add_combo_row (group, title, tooltip, spec->choices);
      g_signal_connect (widget, "notify::selected", G_CALLBACK (on_notify_control), self);
    } else if (spec->kind == CTL_BOOL) {
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_widget_set_tooltip_text (row, tooltip);
      widget = gtk_switch_new ();
      gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
      /* Named by the row's title, as in add_spin_row. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), widget);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), widget);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      g_signal_connect (widget, "notify::active", G_CALLBACK (on_notify_control), self);
    } else {
      widget = add_spin_row (group, title, tooltip, spec->min, spec->max, spec->step, spec->digits, &row);
      g_signal_connect (widget, "value-changed", G_CALLBACK (on_spin_changed), self);
    }
    g_object_set_data (G_OBJECT (widget), "dv-control", GUINT_TO_POINTER (i));
    self->run_widgets[i] = widget;
    self->run_rows[i] = row;
    /* The schedule's small plot sits right under the schedule row. */
    if (spec->offset == CFG (train.schedule)) {
      GtkWidget *plot = dv_schedule_plot_new ();
      dv_plot_set_base_size (plot, -1, 130);
      gtk_widget_set_margin_top (plot, 6);
      gtk_widget_set_tooltip_text (plot, _("ᾱₜ: how much of x₀ is left at step t; βₜ: noise added at step t; "
                                           "SNR = ᾱₜ/(1−ᾱₜ)"));
      self->schedule_plot = DV_SCHEDULE_PLOT (plot);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), plot);
    }
  }
}

/* ---- Page-wide controls ---- */

static void
on_data_selected (GObject *row, GParamSpec *pspec, DvPlaygroundPage *self)
{
  if (self->syncing)
    return;
  DataSource source = adw_combo_row_get_selected (ADW_COMBO_ROW (row));
  if (source >= N_DATA_SOURCES || source == self->source)
    return;
  if (source == DATA_CSV && self->csv.n == 0) {
    /* Nothing imported yet: ask for a file, and stay where we were until one loads. */
    self->syncing = TRUE;
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), self->source);
    self->syncing = FALSE;
    gtk_widget_activate_action (GTK_WIDGET (self), "page.import-csv", NULL);
    return;
  }
  DataSource previous = self->source;
  self->source = source;
  g_autoptr (GError) error = NULL;
  if (!load_data (self, &error)) {
    self->source = previous;
    self->syncing = TRUE;
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), previous);
    self->syncing = FALSE;
    g_autofree char *message = g_strdup_printf (_("Could not make the data: %s"), error->message);
    set_data_error (self, message);
    return;
  }
  set_data_error (self, NULL);
  rebuild_all (self, START_AS_SETTINGS_SAY);
}

static void
on_points_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->syncing)
    return;
  self->n_points = gtk_spin_button_get_value_as_int (spin);
  if (self->source < DATA_DRAWN)
    reload_data_and_runs (self);
}

static void
on_seed_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->syncing)
    return;
  self->seed = (guint64) gtk_spin_button_get_value (spin);
  /* The seed makes the data too: same seed, same points. */
  reload_data_and_runs (self);
}

static void
on_speed_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->syncing)
    return;
  self->steps_per_frame = gtk_spin_button_get_value_as_int (spin);
  for (int side = 0; side < N_SIDES; side++)
    if (self->sides[side].run)
      dv_playground_run_set_steps_per_frame (self->sides[side].run, self->steps_per_frame);
}

static GtkWidget *
icon_button (const char *icon, const char *action, const char *tooltip, const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  /* NULL for a row's activatable widget, which the row's title names. */
  if (label)
    set_accessible_label (button, label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static void
build_page_controls (DvPlaygroundPage *self)
{
  GtkWidget *data = add_group (self, GROUP_DATA, _("Data"), NULL);
  static const char *const sources[] = { N_("Circle"), N_("Dino"), N_("Line"), N_("Moons"), N_("Draw your own"),
                                         N_("Imported CSV"), NULL };
  self->data_row = add_combo_row (data, _("Points to learn"),
                                  _("The 2D point cloud the model learns to generate; draw your own by clicking and "
                                    "dragging on the plot, or import x,y rows from a CSV file"),
                                  sources);
  g_signal_connect (self->data_row, "notify::selected", G_CALLBACK (on_data_selected), self);
  self->points_spin = add_spin_row (data, _("Number of points"), _("How many points the dataset has"), 100, 100000,
                                    100, 0, NULL);
  g_signal_connect (self->points_spin, "value-changed", G_CALLBACK (on_points_changed), self);

  self->draw_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->draw_row), _("Drawing"));
  gtk_widget_set_tooltip_text (self->draw_row, _("Click and drag on the plot to paint points"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->draw_row),
                             icon_button ("edit-undo-symbolic", "page.undo-stroke", _("Undo the last stroke"),
                                          _("Undo stroke")));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->draw_row),
                             icon_button ("edit-clear-all-symbolic", "page.clear-drawing",
                                          _("Remove every painted point"), _("Clear drawing")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), self->draw_row);

  GtkWidget *import_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (import_row), _("Import CSV…"));
  gtk_widget_set_tooltip_text (import_row, _("Load x,y points from a CSV file (a header line is allowed)"));
  GtkWidget *import_button = icon_button ("document-open-symbolic", "page.import-csv",
                                          _("Load x,y points from a CSV file (a header line is allowed)"), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (import_row), import_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (import_row), import_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), import_row);

  self->data_error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->data_error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->data_error_label), 0);
  gtk_widget_add_css_class (self->data_error_label, "error");
  gtk_widget_set_margin_top (self->data_error_label, 6);
  gtk_widget_set_visible (self->data_error_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->data_error_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Data error"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), self->data_error_label);

  add_group (self, GROUP_DIFFUSION, _("Diffusion"), NULL);
  add_group (self, GROUP_MODEL, _("Model"), NULL);
  add_group (self, GROUP_GAN, _("GAN"), _("A discriminator judges real against generated points"));
  build_run_controls (self);

  GtkWidget *seed = add_group (self, GROUP_SEED, _("Seed and speed"), NULL);
  self->seed_spin = add_spin_row (seed, _("Seed"),
                                  _("Same seed, same data, weights, batches and sampling noise: runs repeat exactly"),
                                  0, G_MAXINT32, 1, 0, NULL);
  g_signal_connect (self->seed_spin, "value-changed", G_CALLBACK (on_seed_changed), self);
  self->speed_spin = add_spin_row (seed, _("Steps per frame"),
                                   _("Training steps per displayed frame (30 frames a second); 0 = as fast as possible"),
                                   0, 1000, 1, 0, NULL);
  g_signal_connect (self->speed_spin, "value-changed", G_CALLBACK (on_speed_changed), self);
}

/* ---- Drawing ---- */

void
dv_playground_page_paint (DvPlaygroundPage *self, double x, double y, gboolean new_stroke)
{
  g_return_if_fail (DV_IS_PLAYGROUND_PAGE (self));
  if (self->source != DATA_DRAWN)
    return;
  if (new_stroke || self->strokes->len == 0) {
    guint start = self->drawn->len / 2;
    g_array_append_val (self->strokes, start);
  }
  for (int i = 0; i < BRUSH_POINTS; i++) {
    float p[2] = { (float) (x + BRUSH_SPREAD * dv_rng_normal (&self->brush_rng)),
                   (float) (y + BRUSH_SPREAD * dv_rng_normal (&self->brush_rng)) };
    g_array_append_vals (self->drawn, p, 2);
  }
  copy_points (&self->data, (const float *) self->drawn->data, self->drawn->len / 2);
  for (int side = 0; side < N_SIDES; side++)
    dv_scatter_plot_set_data (scatter (self, side), self->data.xy, self->data.n);
  for (int side = 0; side < N_SIDES; side++)
    if (side == 0 || self->compare)
      schedule_rebuild (self, side);
}

static void
on_scatter_paint (DvScatterPlot *plot, double x, double y, gboolean new_stroke, DvPlaygroundPage *self)
{
  dv_playground_page_paint (self, x, y, new_stroke);
}

static void
drawing_changed (DvPlaygroundPage *self)
{
  copy_points (&self->data, (const float *) self->drawn->data, self->drawn->len / 2);
  for (int side = 0; side < N_SIDES; side++)
    dv_scatter_plot_set_data (scatter (self, side), self->data.xy, self->data.n);
  rebuild_all (self, START_AS_SETTINGS_SAY);
}

static void
undo_stroke_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  if (self->strokes->len == 0)
    return;
  guint start = g_array_index (self->strokes, guint, self->strokes->len - 1);
  g_array_set_size (self->strokes, self->strokes->len - 1);
  g_array_set_size (self->drawn, 2 * start);
  drawing_changed (self);
}

static void
clear_drawing_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  g_array_set_size (self->strokes, 0);
  g_array_set_size (self->drawn, 0);
  drawing_changed (self);
}

/* ---- Transport ---- */

static void
play_pause_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  self->playing = !self->playing;
  gboolean any = FALSE;
  for (int side = 0; side < N_SIDES; side++) {
    DvPlaygroundRun *run = self->sides[side].run;
    if (run == NULL)
      continue;
    if (self->playing)
      dv_playground_run_play (run);
    else
      dv_playground_run_pause (run);
    any |= dv_playground_run_get_playing (run);
  }
  /* Nothing left to train (every run at its end): stay paused. */
  if (self->playing && !any)
    self->playing = FALSE;
  update_play_button (self);
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  for (int side = 0; side < N_SIDES; side++)
    if (self->sides[side].run)
      dv_playground_run_step (self->sides[side].run, 1);
}

/* Shows or hides the settings: over the plots on a narrow window, beside
 * them otherwise (hiding them gives the plots the whole width). */
static void
toggle_settings_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  AdwFlap *flap = ADW_FLAP (adw_bin_get_child (ADW_BIN (widget)));
  adw_flap_set_reveal_flap (flap, !adw_flap_get_reveal_flap (flap));
}

static void
reset_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  rebuild_all (DV_PLAYGROUND_PAGE (widget), START_FRESH);
}

/* The shipped weights for the current dataset, with the settings and data
 * they were trained on. */
static void
load_trained_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = trained_model_path (self, &error);
  DvToyTrainConfig saved;
  if (path == NULL || !dv_toy_checkpoint_read_config (path, &saved, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not load the trained model: %s"), error->message);
    show_toast (self, message);
    return;
  }
  cancel_pending_rebuild (self);
  for (int side = 0; side < N_SIDES; side++)
    self->cfg[side].train = saved;
  gboolean new_data = self->n_points != DV_TOY_DEFAULT_POINTS || self->seed != saved.seed;
  self->n_points = DV_TOY_DEFAULT_POINTS;
  self->seed = saved.seed;
  sync_widgets (self);
  if (new_data && !load_data (self, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not make the data: %s"), error->message);
    set_data_error (self, message);
    return;
  }
  set_data_error (self, NULL);
  rebuild_all (self, START_TRAINED);
  update_compare_titles (self);
}

static void
dataset_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  const char *key = g_variant_get_string (parameter, NULL);
  for (int i = 0; i < N_DATA_SOURCES; i++)
    if (g_str_equal (key, data_keys[i]))
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->data_row), i);
}

/* ---- Compare ---- */

static void
update_compare_titles (DvPlaygroundPage *self)
{
  for (int side = 0; side < N_SIDES; side++) {
    g_autofree char *title = run_title (self, side);
    dv_scatter_plot_set_title (scatter (self, side), title);
    for (int i = 0; i < 2; i++) {
      const char *base = i == 0 ? _("denoiser") : _("discriminator");
      g_autofree char *name = self->compare ? g_strdup_printf ("%s %s", side_name (side), base) : g_strdup (base);
      dv_curve_plot_set_series_name (self->loss_plot, self->loss_series[side][i], name);
      const char *metric = i == 0 ? "KL" : "JS";
      g_autofree char *dname = self->compare ? g_strdup_printf ("%s %s", side_name (side), metric) : g_strdup (metric);
      dv_curve_plot_set_series_name (self->divergence_plot, self->divergence_series[side][i], dname);
    }
  }
}

static void
set_compare (DvPlaygroundPage *self, gboolean compare)
{
  if (self->compare == compare)
    return;
  self->compare = compare;
  gtk_widget_set_visible (GTK_WIDGET (self->scatter_b), compare);
  gtk_widget_set_visible (self->side_switcher, compare);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.copy-a-to-b", compare);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.swap", compare);
  if (compare) {
    rebuild_run (self, 1, START_AS_SETTINGS_SAY);
    /* The two runs start together, so their step counters match. */
    rebuild_run (self, 0, START_AS_SETTINGS_SAY);
  } else {
    drop_run (self, 1);
    clear_side_view (self, 1);
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->edit_a_button), TRUE);
  }
  update_compare_titles (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE]);
}

static void
copy_a_to_b_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  self->cfg[1] = self->cfg[0];
  sync_widgets (self);
  rebuild_run (self, 1, START_AS_SETTINGS_SAY);
  rebuild_run (self, 0, START_AS_SETTINGS_SAY);
  update_compare_titles (self);
}

static void
swap_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  DvPlaygroundConfig cfg = self->cfg[0];
  self->cfg[0] = self->cfg[1];
  self->cfg[1] = cfg;
  /* The runs go with their settings, progress and all. */
  DvPlaygroundRun *run_a = g_steal_pointer (&self->sides[0].run), *run_b = g_steal_pointer (&self->sides[1].run);
  for (int side = 0; side < N_SIDES; side++)
    clear_side_view (self, side);
  self->sides[0].run = run_b;
  self->sides[1].run = run_a;
  gboolean trained_a = self->sides[0].trained;
  self->sides[0].trained = self->sides[1].trained;
  self->sides[1].trained = trained_a;
  sync_widgets (self);
  update_compare_titles (self);
  for (int side = 0; side < N_SIDES; side++)
    update_side (self, side);
}

static void
on_edit_side_toggled (GtkToggleButton *button, DvPlaygroundPage *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->editing = GTK_WIDGET (button) == self->edit_b_button ? 1 : 0;
  sync_widgets (self);
}

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
  int n = self->compare ? 2 : 1;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (self->scatter_a)), 480);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self->scatter_a)), 480);
  const int scale = 2;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, n * width * scale, height * scale);
  cairo_t *cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  for (int side = 0; side < n; side++) {
    cairo_save (cr);
    cairo_translate (cr, side * width, 0);
    dv_scatter_plot_render (scatter (self, side), cr, width, height);
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
  GString *csv = g_string_new (self->compare ? "run,x,y\n" : "x,y\n");
  for (int side = 0; side < (self->compare ? 2 : 1); side++) {
    Side *s = &self->sides[side];
    char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
    for (size_t i = 0; i < s->n_live; i++) {
      g_ascii_formatd (x, sizeof x, "%.6g", s->live[2 * i]);
      g_ascii_formatd (y, sizeof y, "%.6g", s->live[2 * i + 1]);
      if (self->compare)
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
  json_builder_add_string_value (builder, data_keys[self->source]);
  json_builder_set_member_name (builder, "points");
  json_builder_add_int_value (builder, self->source < DATA_DRAWN ? self->n_points : (gint64) self->data.n);
  if (with_points && self->source >= DATA_DRAWN) {
    /* Drawn or imported points cannot be made again from a name: keep them. */
    json_builder_set_member_name (builder, "xy");
    json_builder_begin_array (builder);
    for (size_t i = 0; i < 2 * self->data.n; i++)
      json_builder_add_double_value (builder, self->data.xy[i]);
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
  json_builder_add_int_value (builder, (gint64) self->seed);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (int side = 0; side < (self->compare ? 2 : 1); side++) {
    Side *s = &self->sides[side];
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, side_name (side));
    json_builder_set_member_name (builder, "config");
    add_run_config (builder, &self->cfg[side]);
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
    size_t n = dv_curve_plot_get_points (self->divergence_plot, self->divergence_series[side][0], &xs, &ys);
    if (n > 0) {
      const double *js;
      dv_curve_plot_get_points (self->divergence_plot, self->divergence_series[side][1], NULL, &js);
      json_builder_set_member_name (builder, "grid_kl");
      json_builder_add_double_value (builder, ys[n - 1]);
      json_builder_set_member_name (builder, "grid_js");
      json_builder_add_double_value (builder, js[n - 1]);
    }
    json_builder_end_object (builder);
    /* The loss curve, as the seed's train_losses. */
    n = dv_curve_plot_get_points (self->loss_plot, self->loss_series[side][0], &xs, &ys);
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
  if (self->sides[0].run == NULL) {
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, _("There is no model to save yet"));
    return FALSE;
  }
  if (!dv_playground_run_save_weights (self->sides[0].run, path, error))
    return FALSE;
  if (self->compare && self->sides[1].run) {
    /* B goes beside A: name-B.safetensors. */
    g_autofree char *stem = g_str_has_suffix (path, ".safetensors")
                              ? g_strndup (path, strlen (path) - strlen (".safetensors"))
                              : g_strdup (path);
    g_autofree char *path_b = g_strconcat (stem, "-B.safetensors", NULL);
    return dv_playground_run_save_weights (self->sides[1].run, path_b, error);
  }
  return TRUE;
}

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
  json_builder_add_int_value (builder, (gint64) self->seed);
  json_builder_set_member_name (builder, "steps_per_frame");
  json_builder_add_int_value (builder, self->steps_per_frame);
  json_builder_set_member_name (builder, "compare");
  json_builder_add_boolean_value (builder, self->compare);
  json_builder_set_member_name (builder, "runs");
  json_builder_begin_array (builder);
  for (int side = 0; side < N_SIDES; side++)
    add_run_config (builder, &self->cfg[side]);
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
    if (g_strcmp0 (source_key, data_keys[i]) == 0)
      source = i;
  if (source < 0) {
    g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, _("Unknown data “%s”"), source_key);
    return FALSE;
  }
  gint64 n_points = data ? json_object_get_int_member_with_default (data, "points", self->n_points) : self->n_points;
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

  self->cfg[0] = cfg[0];
  self->cfg[1] = cfg[1];
  self->seed = (guint64) json_object_get_int_member_with_default (object, "seed", (gint64) self->seed);
  self->steps_per_frame = (int) CLAMP (json_object_get_int_member_with_default (object, "steps_per_frame", 0), 0, 1000);
  self->source = source;
  if (source < DATA_DRAWN) {
    self->n_points = (int) n_points;
  } else if (source == DATA_DRAWN) {
    g_array_set_size (self->drawn, 0);
    g_array_append_vals (self->drawn, points->data, points->len);
    g_array_set_size (self->strokes, 0);
  } else {
    copy_points (&self->csv, (const float *) points->data, points->len / 2);
  }
  gboolean compare = json_object_get_boolean_member_with_default (object, "compare", FALSE);
  cancel_pending_rebuild (self);
  sync_widgets (self);
  set_compare (self, compare);
  reload_data_and_runs (self);
  update_compare_titles (self);
  return TRUE;
}

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
    set_data_error (self, message);
    show_toast (self, message);
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  dv_toy_data_clear (&self->csv);
  self->csv = fresh;
  set_data_error (self, NULL);
  self->source = DATA_CSV;
  self->syncing = TRUE;
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->data_row), DATA_CSV);
  self->syncing = FALSE;
  reload_data_and_runs (self);
  return TRUE;
}

/* ---- File choosers ---- */

typedef gboolean (*FileFunc) (DvPlaygroundPage *self, const char *path, GError **error);

static void
on_chooser_response (GtkNativeDialog *dialog, int response, DvPlaygroundPage *self)
{
  FileFunc func = g_object_get_data (G_OBJECT (dialog), "dv-file-func");
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
    g_autofree char *path = file ? g_file_get_path (file) : NULL;
    g_autoptr (GError) error = NULL;
    if (path && !func (self, path, &error)) {
      /* Import shows its own message. */
      if (func != dv_playground_page_import_csv)
        show_toast (self, error->message);
    } else if (path && func != dv_playground_page_import_csv && func != dv_playground_page_load_config) {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *message = g_strdup_printf (_("Saved %s"), base);
      show_toast (self, message);
    }
  }
  g_clear_object (&self->chooser);
}

static void
choose_file (DvPlaygroundPage *self, gboolean save, const char *title, const char *suggested, const char *pattern,
             FileFunc func)
{
  if (self->chooser)
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
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
file_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (widget);
  if (g_str_equal (name, "page.export") || g_str_equal (name, "page.export-png"))
    choose_file (self, TRUE, _("Export Plot as PNG"), "playground.png", "*.png", dv_playground_page_export_png);
  else if (g_str_equal (name, "page.export-csv"))
    choose_file (self, TRUE, _("Export Samples as CSV"), "samples.csv", "*.csv", dv_playground_page_export_csv);
  else if (g_str_equal (name, "page.export-json"))
    choose_file (self, TRUE, _("Export Run as JSON"), "run.json", "*.json", dv_playground_page_export_json);
  else if (g_str_equal (name, "page.export-weights"))
    choose_file (self, TRUE, _("Export Weights"), "model.safetensors", "*.safetensors",
                 dv_playground_page_export_weights);
  else if (g_str_equal (name, "page.save-config"))
    choose_file (self, TRUE, _("Save Configuration"), "playground-config.json", "*.json",
                 dv_playground_page_save_config);
  else if (g_str_equal (name, "page.load-config"))
    choose_file (self, FALSE, _("Load Configuration"), NULL, "*.json", dv_playground_page_load_config);
  else if (g_str_equal (name, "page.import-csv"))
    choose_file (self, FALSE, _("Import Points from CSV"), NULL, NULL, dv_playground_page_import_csv);
}

/* ---- Public getters ---- */

DvScatterPlot *
dv_playground_page_get_scatter (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, NULL);
  return scatter (self, side);
}

DvCurvePlot *
dv_playground_page_get_loss_plot (DvPlaygroundPage *self)
{
  return self->loss_plot;
}

DvCurvePlot *
dv_playground_page_get_divergence_plot (DvPlaygroundPage *self)
{
  return self->divergence_plot;
}

gint64
dv_playground_page_get_step (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, 0);
  return self->sides[side].run ? dv_playground_run_get_step (self->sides[side].run) : 0;
}

double
dv_playground_page_get_steps_per_second (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, 0);
  return self->sides[side].run ? dv_playground_run_get_steps_per_second (self->sides[side].run) : 0;
}

double
dv_playground_page_get_knn_kl (DvPlaygroundPage *self, int side)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES, NAN);
  return self->sides[side].run ? dv_playground_run_get_knn_kl (self->sides[side].run) : NAN;
}

const char *
dv_playground_page_get_status (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), "");
  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

gboolean
dv_playground_page_get_busy (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  for (int side = 0; side < N_SIDES; side++)
    if (self->sides[side].run && dv_playground_run_get_busy (self->sides[side].run))
      return TRUE;
  return self->rebuild_source != 0;
}

gboolean
dv_playground_page_get_playing (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), FALSE);
  return self->playing;
}

const char *
dv_playground_page_get_last_toast (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), NULL);
  return self->last_message ? self->last_message : "";
}

const char *
dv_playground_page_get_data_error (DvPlaygroundPage *self)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self), "");
  return gtk_label_get_text (GTK_LABEL (self->data_error_label));
}

/* ---- GObject ---- */

static void
dv_playground_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  if (prop_id == PROP_COMPARE)
    g_value_set_boolean (value, self->compare);
  else if (prop_id == PROP_SHOW_FIELD)
    g_value_set_boolean (value, self->show_field);
  else if (prop_id == PROP_SHOW_FILM)
    g_value_set_boolean (value, self->show_film);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
dv_playground_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  if (prop_id == PROP_COMPARE) {
    set_compare (self, g_value_get_boolean (value));
  } else if (prop_id == PROP_SHOW_FIELD) {
    if (self->show_field != g_value_get_boolean (value)) {
      self->show_field = g_value_get_boolean (value);
      on_field_changed (self);
      g_object_notify_by_pspec (object, pspec);
    }
  } else if (prop_id == PROP_SHOW_FILM) {
    if (self->show_film != g_value_get_boolean (value)) {
      self->show_film = g_value_get_boolean (value);
      on_film_toggled (self);
      g_object_notify_by_pspec (object, pspec);
    }
  } else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
dv_playground_page_dispose (GObject *object)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  cancel_pending_rebuild (self);
  g_clear_handle_id (&self->film_timer, g_source_remove);
  for (int side = 0; side < N_SIDES; side++) {
    drop_run (self, side);
    g_clear_pointer (&self->sides[side].live, g_free);
    g_clear_pointer (&self->sides[side].film, g_free);
  }
  if (self->chooser)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), DV_TYPE_PLAYGROUND_PAGE);
  G_OBJECT_CLASS (dv_playground_page_parent_class)->dispose (object);
}

static void
dv_playground_page_finalize (GObject *object)
{
  DvPlaygroundPage *self = DV_PLAYGROUND_PAGE (object);
  dv_toy_data_clear (&self->data);
  dv_toy_data_clear (&self->csv);
  g_free (self->last_message);
  g_free (self->pending_toast);
  g_array_unref (self->drawn);
  g_array_unref (self->strokes);
  G_OBJECT_CLASS (dv_playground_page_parent_class)->finalize (object);
}

static void
dv_playground_page_class_init (DvPlaygroundPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dv_playground_page_dispose;
  object_class->finalize = dv_playground_page_finalize;
  object_class->get_property = dv_playground_page_get_property;
  object_class->set_property = dv_playground_page_set_property;
  properties[PROP_COMPARE] = g_param_spec_boolean ("compare", NULL, NULL, FALSE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FIELD] = g_param_spec_boolean ("show-field", NULL, NULL, FALSE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FILM] = g_param_spec_boolean ("show-film", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DV_TYPE_SCATTER_PLOT);
  g_type_ensure (DV_TYPE_CURVE_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/dimvida/Studio/dv-playground-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, DvPlaygroundPage, name)
  CHILD (sidebar_button);
  CHILD (sidebar);
  CHILD (side_switcher);
  CHILD (edit_a_button);
  CHILD (edit_b_button);
  CHILD (play_button);
  CHILD (step_button);
  CHILD (reset_button);
  CHILD (trained_button);
  CHILD (compare_button);
  CHILD (copy_button);
  CHILD (swap_button);
  CHILD (status_label);
  CHILD (export_button);
  CHILD (scatter_a);
  CHILD (scatter_b);
  CHILD (field_button);
  CHILD (field_scale);
  CHILD (film_button);
  CHILD (film_play_button);
  CHILD (film_scale);
  CHILD (film_label);
  CHILD (trails_check);
  CHILD (loss_plot);
  CHILD (divergence_plot);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "page.play-pause", NULL, play_pause_action);
  gtk_widget_class_install_action (widget_class, "page.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "page.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "page.toggle-settings", NULL, toggle_settings_action);
  gtk_widget_class_install_action (widget_class, "page.load-trained", NULL, load_trained_action);
  gtk_widget_class_install_property_action (widget_class, "page.compare", "compare");
  gtk_widget_class_install_property_action (widget_class, "page.field", "show-field");
  gtk_widget_class_install_property_action (widget_class, "page.film", "show-film");
  gtk_widget_class_install_action (widget_class, "page.copy-a-to-b", NULL, copy_a_to_b_action);
  gtk_widget_class_install_action (widget_class, "page.swap", NULL, swap_action);
  gtk_widget_class_install_action (widget_class, "page.undo-stroke", NULL, undo_stroke_action);
  gtk_widget_class_install_action (widget_class, "page.clear-drawing", NULL, clear_drawing_action);
  gtk_widget_class_install_action (widget_class, "page.dataset", "s", dataset_action);
  const char *file_actions[] = { "page.export",      "page.export-png",  "page.export-csv", "page.export-json",
                                 "page.export-weights", "page.save-config", "page.load-config", "page.import-csv" };
  for (guint i = 0; i < G_N_ELEMENTS (file_actions); i++)
    gtk_widget_class_install_action (widget_class, file_actions[i], NULL, file_action);
}

static void
label_widget (GtkWidget *widget, const char *label, const char *tooltip)
{
  gtk_widget_set_tooltip_text (widget, tooltip);
  set_accessible_label (widget, label);
}

static void
dv_playground_page_init (DvPlaygroundPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Wherever the focus is in the window, while the page shows (Space is the
   * window's: it must type a space in text fields). */
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  static const struct {
    const char *accel, *action;
  } keys[] = {
    { "F9", "page.toggle-settings" }, { "<Control>Right", "page.step" }, { "<Control>r", "page.reset" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].accel),
                                                            gtk_named_action_new (keys[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->drawn = g_array_new (FALSE, FALSE, sizeof (float));
  self->strokes = g_array_new (FALSE, FALSE, sizeof (guint));
  dv_rng_init (&self->brush_rng, 7);
  for (int side = 0; side < N_SIDES; side++)
    dv_playground_config_init (&self->cfg[side]);
  self->source = DATA_MOONS;
  self->n_points = DV_TOY_DEFAULT_POINTS;
  self->seed = self->cfg[0].train.seed;
  self->steps_per_frame = 0;

  /* Texts of the template's widgets. */
  gtk_button_set_label (GTK_BUTTON (self->edit_a_button), _("Edit A"));
  gtk_button_set_label (GTK_BUTTON (self->edit_b_button), _("Edit B"));
  label_widget (self->edit_a_button, _("Edit run A"), _("The controls below change run A"));
  label_widget (self->edit_b_button, _("Edit run B"), _("The controls below change run B"));
  update_play_button (self);
  label_widget (self->step_button, _("Single step"), _("Train one step, then show the new samples (Ctrl+→)"));
  label_widget (self->reset_button, _("Reset"), _("Start again from fresh weights, same seed (Ctrl+R)"));
  gtk_button_set_label (GTK_BUTTON (self->trained_button), _("Trained model"));
  label_widget (self->trained_button, _("Load trained model"),
                _("Load the model shipped for this dataset, trained for 10,000 steps with the default settings; "
                  "Reset starts again from scratch"));
  g_signal_connect (self, "notify::root", G_CALLBACK (on_root_changed), NULL);
  label_widget (self->sidebar_button, _("Settings"), _("Show or hide the settings (F9)"));
  gtk_button_set_label (GTK_BUTTON (self->compare_button), _("Compare A | B"));
  label_widget (self->compare_button, _("Compare A | B"),
                _("Train two settings side by side with the same seed, data and sampling noise"));
  gtk_button_set_label (GTK_BUTTON (self->copy_button), _("Copy A → B"));
  label_widget (self->copy_button, _("Copy A to B"), _("Give B the settings of A, then restart both"));
  gtk_button_set_label (GTK_BUTTON (self->swap_button), _("Swap"));
  label_widget (self->swap_button, _("Swap A and B"), _("Exchange the two runs, settings and progress"));
  label_widget (self->export_button, _("Export"), _("Export the plot, samples, run or weights; save or load settings"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Final scores"), -1);
  gtk_button_set_label (GTK_BUTTON (self->field_button), _("Denoising field"));
  label_widget (self->field_button, _("Denoising field"),
                _("Arrows from each grid point x to the model's estimate x̂₀ at timestep t (scaled to fit)"));
  label_widget (self->field_scale, _("Field timestep"), _("The timestep t at which the arrows x̂₀ − x are drawn"));
  gtk_button_set_label (GTK_BUTTON (self->film_button), _("Reverse process"));
  label_widget (self->film_button, _("Reverse process"),
                _("Watch the samples travel from noise x_T to data x₀ with the current weights"));
  label_widget (self->film_play_button, _("Play reverse process"), _("Play the reverse process from noise to data"));
  label_widget (self->film_scale, _("Reverse-process step"), _("Scrub through the reverse process, step by step"));
  gtk_check_button_set_label (GTK_CHECK_BUTTON (self->trails_check), _("Trails"));
  label_widget (self->trails_check, _("Trails"), _("Draw the path each point took (first 250 points)"));
  g_signal_connect_swapped (self->field_scale, "value-changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->film_play_button, "clicked", G_CALLBACK (on_film_play_clicked), self);
  g_signal_connect_swapped (self->film_scale, "value-changed", G_CALLBACK (on_film_scale_changed), self);
  g_signal_connect_swapped (self->trails_check, "toggled", G_CALLBACK (on_film_scale_changed), self);
  g_signal_connect (self->edit_a_button, "toggled", G_CALLBACK (on_edit_side_toggled), self);
  g_signal_connect (self->edit_b_button, "toggled", G_CALLBACK (on_edit_side_toggled), self);
  g_signal_connect (self->scatter_a, "paint", G_CALLBACK (on_scatter_paint), self);

  GMenu *menu = g_menu_new ();
  GMenu *exports = g_menu_new ();
  g_menu_append (exports, _("Plot as PNG (2×)…"), "page.export-png");
  g_menu_append (exports, _("Samples as CSV…"), "page.export-csv");
  g_menu_append (exports, _("Run as JSON…"), "page.export-json");
  g_menu_append (exports, _("Weights as safetensors…"), "page.export-weights");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (exports));
  GMenu *configs = g_menu_new ();
  g_menu_append (configs, _("Save Configuration…"), "page.save-config");
  g_menu_append (configs, _("Load Configuration…"), "page.load-config");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (configs));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->export_button), G_MENU_MODEL (menu));
  g_object_unref (exports);
  g_object_unref (configs);
  g_object_unref (menu);

  dv_scatter_plot_set_sample_color (self->scatter_a, DV_PLOT_BLUE);
  dv_scatter_plot_set_sample_color (self->scatter_b, DV_PLOT_ORANGE);
  dv_curve_plot_set_title (self->loss_plot, _("Training loss"));
  dv_curve_plot_set_x_label (self->loss_plot, _("step"));
  dv_curve_plot_set_log_y (self->loss_plot, TRUE);
  dv_curve_plot_set_title (self->divergence_plot, _("Grid divergence (bits)"));
  dv_curve_plot_set_x_label (self->divergence_plot, _("step"));
  dv_curve_plot_set_log_y (self->divergence_plot, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->divergence_plot),
                               _("KL(real ‖ samples) and Jensen–Shannon divergence of 24 × 24 histograms, in bits"));
  static const DvPlotColor loss_colors[N_SIDES][2] = { { DV_PLOT_BLUE, DV_PLOT_PURPLE }, { DV_PLOT_ORANGE, DV_PLOT_RED } };
  static const DvPlotColor div_colors[N_SIDES][2] = { { DV_PLOT_BLUE, DV_PLOT_GREEN }, { DV_PLOT_ORANGE, DV_PLOT_PURPLE } };
  for (int side = 0; side < N_SIDES; side++)
    for (int i = 0; i < 2; i++) {
      self->loss_series[side][i] = dv_curve_plot_add_series (self->loss_plot, NULL, loss_colors[side][i], side == 1);
      self->divergence_series[side][i] =
        dv_curve_plot_add_series (self->divergence_plot, NULL, div_colors[side][i], side == 1);
    }

  build_page_controls (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.copy-a-to-b", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.swap", FALSE);
  sync_widgets (self);
  gtk_range_set_value (GTK_RANGE (self->field_scale), self->cfg[0].train.T / 2);
  gtk_range_set_range (GTK_RANGE (self->film_scale), 0, 1);
  update_compare_titles (self);
  reload_data_and_runs (self);
}
