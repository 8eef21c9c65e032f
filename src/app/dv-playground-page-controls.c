/* The Playground page's settings sidebar: one table of run controls bound to
 * the fields of DvPlaygroundConfig, the data, seed and speed rows, and the
 * data they make (the built-in sets, drawn points, an imported CSV). */
#include "dv-playground-page-private.h"

#include "diffusion/noise_schedule.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stddef.h>

#define BRUSH_POINTS 6
#define BRUSH_SPREAD 0.08

typedef enum { CTL_INT, CTL_INT64, CTL_FLOAT, CTL_BOOL, CTL_CHOICE } ControlKind;

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
G_STATIC_ASSERT (G_N_ELEMENTS (run_controls) == N_RUN_CONTROLS);

/* ---- Run settings ---- */

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
update_schedule_plot (DvPlaygroundPage *self)
{
  const DvToyTrainConfig *train = &self->runs.cfg[self->controls.editing].train;
  DvNoiseSchedule sched;
  if (dv_noise_schedule_init (&sched, train->schedule, train->T, train->beta_start, train->beta_end, NULL)) {
    dv_schedule_plot_set_schedule (self->controls.schedule_plot, sched.betas, sched.alphas_cumprod, sched.T);
    dv_noise_schedule_clear (&sched);
  }
}

static void
update_sensitivity (DvPlaygroundPage *self)
{
  const DvPlaygroundConfig *cfg = &self->runs.cfg[self->controls.editing];
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    gboolean sensitive = TRUE;
    if (run_controls[i].group == GROUP_GAN && run_controls[i].offset != CFG (train.gan))
      sensitive = cfg->train.gan;
    if (run_controls[i].offset == CFG (sampler.steps))
      sensitive = cfg->sampler.kind == DV_SAMPLER_DDIM;
    gtk_widget_set_sensitive (self->controls.run_rows[i], sensitive);
  }
  /* The field's t and DDIM's step count cannot exceed T. */
  for (guint i = 0; i < N_RUN_CONTROLS; i++)
    if (run_controls[i].offset == CFG (sampler.steps))
      gtk_spin_button_set_range (GTK_SPIN_BUTTON (self->controls.run_widgets[i]), 1, cfg->train.T);
  gtk_range_set_range (GTK_RANGE (self->field.field_scale), 0, MAX (self->runs.cfg[0].train.T - 1, 1));
}

static void
control_changed (DvPlaygroundPage *self, guint index)
{
  if (self->controls.syncing)
    return;
  const ControlSpec *spec = &run_controls[index];
  GtkWidget *widget = self->controls.run_widgets[index];
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
  DvPlaygroundConfig *cfg = &self->runs.cfg[self->controls.editing];
  set_field_value (cfg, spec, value);
  if (cfg->sampler.steps > cfg->train.T)
    cfg->sampler.steps = cfg->train.T;
  self->controls.syncing = TRUE;
  update_sensitivity (self);
  self->controls.syncing = FALSE;
  update_schedule_plot (self);
  _dv_playground_page_schedule_rebuild (self, self->controls.editing);
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

void
_dv_playground_page_sync_controls (DvPlaygroundPage *self)
{
  self->controls.syncing = TRUE;
  const DvPlaygroundConfig *cfg = &self->runs.cfg[self->controls.editing];
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    double value = field_value (cfg, &run_controls[i]);
    GtkWidget *widget = self->controls.run_widgets[i];
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
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->controls.data_row), self->data.source);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->controls.points_spin), self->data.n_points);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->controls.seed_spin), (double) self->data.seed);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->controls.speed_spin), self->runs.steps_per_frame);
  update_sensitivity (self);
  self->controls.syncing = FALSE;
  update_schedule_plot (self);
}

static GtkWidget *
add_group (DvPlaygroundPage *self, ControlGroup group, const char *title, const char *description)
{
  GtkWidget *box = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (box), title);
  if (description)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (box), description);
  gtk_box_append (GTK_BOX (self->controls.sidebar), box);
  self->controls.group_boxes[group] = box;
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

static void
on_popover_visible (GtkWidget *popover, GParamSpec *pspec, GtkWidget *owner)
{
  gboolean open = gtk_widget_get_visible (popover);
  gtk_widget_set_has_tooltip (owner, !open);
  if (open)
    gtk_widget_trigger_tooltip_query (owner);
}

void
_dv_playground_page_quiet_tooltip_while_open (GtkWidget *owner, GtkWidget *popover)
{
  g_return_if_fail (GTK_IS_WIDGET (owner) && GTK_IS_POPOVER (popover));
  g_signal_connect_object (popover, "notify::visible", G_CALLBACK (on_popover_visible), owner, 0);
}

/* AdwComboRow keeps its popover inside the row. */
static GtkWidget *
find_popover (GtkWidget *widget)
{
  if (GTK_IS_POPOVER (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_popover (child);
    if (found)
      return found;
  }
  return NULL;
}

/* The chosen value of a combo row reads whole, also at large zoom: its
 * title wraps instead ("Linear" was cut to "Lin…"). */
static void
setup_choice (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_choice (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
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
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice), NULL);
  adw_combo_row_set_factory (ADW_COMBO_ROW (row), factory);
  gtk_widget_set_tooltip_text (row, tooltip);
  /* The row names itself from its title. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  GtkWidget *popover = find_popover (row);
  if (popover)
    _dv_playground_page_quiet_tooltip_while_open (row, popover);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static void
build_run_controls (DvPlaygroundPage *self)
{
  for (guint i = 0; i < N_RUN_CONTROLS; i++) {
    const ControlSpec *spec = &run_controls[i];
    GtkWidget *group = self->controls.group_boxes[spec->group];
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
    self->controls.run_widgets[i] = widget;
    self->controls.run_rows[i] = row;
    /* The schedule's small plot sits right under the schedule row. */
    if (spec->offset == CFG (train.schedule)) {
      GtkWidget *plot = dv_schedule_plot_new ();
      dv_plot_set_base_size (plot, -1, 130);
      gtk_widget_set_margin_top (plot, 6);
      gtk_widget_set_tooltip_text (plot, _("ᾱₜ: how much of x₀ is left at step t; βₜ: noise added at step t; "
                                           "SNR = ᾱₜ/(1−ᾱₜ)"));
      self->controls.schedule_plot = DV_SCHEDULE_PLOT (plot);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), plot);
    }
  }
}

static void
on_edit_side_toggled (GtkToggleButton *button, DvPlaygroundPage *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->controls.editing = GTK_WIDGET (button) == self->controls.edit_b_button ? 1 : 0;
  _dv_playground_page_sync_controls (self);
}

/* ---- Data ---- */

static void
apply_data_to_plots (DvPlaygroundPage *self)
{
  if (self->data.source == DATA_DRAWN) {
    self->data.x0 = self->data.y0 = -DRAW_HALF_SIDE;
    self->data.x1 = self->data.y1 = DRAW_HALF_SIDE;
  } else {
    dv_scatter_plot_fit_limits (self->data.points.xy, self->data.points.n, &self->data.x0, &self->data.x1,
                                &self->data.y0, &self->data.y1);
  }
  for (int side = 0; side < N_SIDES; side++) {
    dv_scatter_plot_set_data (self->plots.scatter[side], self->data.points.xy, self->data.points.n);
    dv_scatter_plot_set_limits (self->plots.scatter[side], self->data.x0, self->data.x1, self->data.y0, self->data.y1);
  }
  dv_scatter_plot_set_paint_mode (self->plots.scatter[0], self->data.source == DATA_DRAWN);
  gtk_widget_set_visible (self->controls.draw_row, self->data.source == DATA_DRAWN);
  gtk_widget_set_sensitive (self->controls.points_spin, self->data.source < DATA_DRAWN);
}

void
_dv_playground_page_set_data_error (DvPlaygroundPage *self, const char *message)
{
  gtk_label_set_text (GTK_LABEL (self->controls.data_error_label), message ? message : "");
  gtk_widget_set_visible (self->controls.data_error_label, message != NULL && *message);
}

void
_dv_playground_page_copy_points (DvToyData *dst, const float *xy, size_t n)
{
  dv_toy_data_clear (dst);
  dst->xy = n ? g_memdup2 (xy, 2 * n * sizeof (float)) : NULL;
  dst->n = n;
}

/* The runs learn drawn or imported points spread into a cloud of the
 * built-in sets' size (toy/data.h says why: the kNN KL of a model that
 * learnt a few hundred points is negative). Fewer than the minimum stay as
 * they are, for the page to ask for more. */
static void
set_spread_points (DvPlaygroundPage *self, const float *xy, size_t n)
{
  if (n >= DV_TOY_MIN_POINTS && n < DV_TOY_DEFAULT_POINTS
      && dv_toy_data_spread (&self->data.points, xy, n, DV_TOY_DEFAULT_POINTS, self->data.seed, NULL))
    return;
  _dv_playground_page_copy_points (&self->data.points, xy, n);
}

static void
copy_drawn_points (DvPlaygroundPage *self)
{
  set_spread_points (self, (const float *) self->data.drawn->data, self->data.drawn->len / 2);
}

/* Makes data.points from the current source. FALSE (and data unchanged) on error. */
static gboolean
load_data (DvPlaygroundPage *self, GError **error)
{
  if (self->data.source == DATA_DRAWN) {
    copy_drawn_points (self);
  } else if (self->data.source == DATA_CSV) {
    set_spread_points (self, self->data.csv.xy, self->data.csv.n);
  } else {
    DvToyData fresh = { 0 };
    if (!dv_toy_data_generate (&fresh, _dv_playground_page_data_keys[self->data.source], (size_t) self->data.n_points,
                               self->data.seed, error))
      return FALSE;
    dv_toy_data_clear (&self->data.points);
    self->data.points = fresh;
  }
  apply_data_to_plots (self);
  return TRUE;
}

gboolean
_dv_playground_page_remake_data (DvPlaygroundPage *self)
{
  g_autoptr (GError) error = NULL;
  if (!load_data (self, &error)) {
    g_autofree char *message = g_strdup_printf (_("Could not make the data: %s"), error->message);
    _dv_playground_page_set_data_error (self, message);
    return FALSE;
  }
  _dv_playground_page_set_data_error (self, NULL);
  return TRUE;
}

static void
on_data_selected (GObject *row, GParamSpec *pspec, DvPlaygroundPage *self)
{
  if (self->controls.syncing)
    return;
  DataSource source = adw_combo_row_get_selected (ADW_COMBO_ROW (row));
  if (source >= N_DATA_SOURCES || source == self->data.source)
    return;
  if (source == DATA_CSV && self->data.csv.n == 0) {
    /* Nothing imported yet: ask for a file, and stay where we were until one loads. */
    self->controls.syncing = TRUE;
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), self->data.source);
    self->controls.syncing = FALSE;
    gtk_widget_activate_action (GTK_WIDGET (self), "page.import-csv", NULL);
    return;
  }
  DataSource previous = self->data.source;
  self->data.source = source;
  if (!_dv_playground_page_remake_data (self)) {
    self->data.source = previous;
    self->controls.syncing = TRUE;
    adw_combo_row_set_selected (ADW_COMBO_ROW (row), previous);
    self->controls.syncing = FALSE;
    return;
  }
  _dv_playground_page_rebuild_all (self, START_AS_SETTINGS_SAY);
}

static void
on_points_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->controls.syncing)
    return;
  self->data.n_points = gtk_spin_button_get_value_as_int (spin);
  if (self->data.source < DATA_DRAWN)
    _dv_playground_page_reload_data_and_runs (self);
}

static void
on_seed_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->controls.syncing)
    return;
  self->data.seed = (guint64) gtk_spin_button_get_value (spin);
  /* The seed makes the data too: same seed, same points. */
  _dv_playground_page_reload_data_and_runs (self);
}

static void
on_speed_changed (GtkSpinButton *spin, DvPlaygroundPage *self)
{
  if (self->controls.syncing)
    return;
  self->runs.steps_per_frame = gtk_spin_button_get_value_as_int (spin);
  for (int side = 0; side < N_SIDES; side++)
    if (self->runs.sides[side].run)
      dv_playground_run_set_steps_per_frame (self->runs.sides[side].run, self->runs.steps_per_frame);
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
  self->controls.data_row = add_combo_row (data, _("Points to learn"),
                                  _("The 2D point cloud the model learns to generate; draw your own by clicking and "
                                    "dragging on the plot, or import x,y rows from a CSV file"),
                                  sources);
  g_signal_connect (self->controls.data_row, "notify::selected", G_CALLBACK (on_data_selected), self);
  self->controls.points_spin = add_spin_row (data, _("Number of points"), _("How many points the dataset has"), 100, 100000,
                                    100, 0, NULL);
  g_signal_connect (self->controls.points_spin, "value-changed", G_CALLBACK (on_points_changed), self);

  self->controls.draw_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->controls.draw_row), _("Drawing"));
  gtk_widget_set_tooltip_text (self->controls.draw_row, _("Click and drag on the plot to paint points"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->controls.draw_row),
                             icon_button ("edit-undo-symbolic", "page.undo-stroke", _("Undo the last stroke"),
                                          _("Undo stroke")));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->controls.draw_row),
                             icon_button ("edit-clear-all-symbolic", "page.clear-drawing",
                                          _("Remove every painted point"), _("Clear drawing")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), self->controls.draw_row);

  GtkWidget *import_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (import_row), _("Import CSV…"));
  gtk_widget_set_tooltip_text (import_row, _("Load x,y points from a CSV file (a header line is allowed)"));
  GtkWidget *import_button = icon_button ("document-open-symbolic", "page.import-csv",
                                          _("Load x,y points from a CSV file (a header line is allowed)"), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (import_row), import_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (import_row), import_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), import_row);

  self->controls.data_error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->controls.data_error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->controls.data_error_label), 0);
  gtk_widget_add_css_class (self->controls.data_error_label, "error");
  gtk_widget_set_margin_top (self->controls.data_error_label, 6);
  gtk_widget_set_visible (self->controls.data_error_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->controls.data_error_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Data error"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (data), self->controls.data_error_label);

  add_group (self, GROUP_DIFFUSION, _("Diffusion"), NULL);
  add_group (self, GROUP_MODEL, _("Model"), NULL);
  add_group (self, GROUP_GAN, _("GAN"), _("A discriminator judges real against generated points"));
  build_run_controls (self);

  GtkWidget *seed = add_group (self, GROUP_SEED, _("Seed and speed"), NULL);
  self->controls.seed_spin = add_spin_row (seed, _("Seed"),
                                  _("Same seed, same data, weights, batches and sampling noise: runs repeat exactly"),
                                  0, G_MAXINT32, 1, 0, NULL);
  g_signal_connect (self->controls.seed_spin, "value-changed", G_CALLBACK (on_seed_changed), self);
  self->controls.speed_spin = add_spin_row (seed, _("Steps per frame"),
                                   _("Training steps per displayed frame (30 frames a second); 0 = as fast as possible"),
                                   0, 1000, 1, 0, NULL);
  g_signal_connect (self->controls.speed_spin, "value-changed", G_CALLBACK (on_speed_changed), self);

  GtkWidget *restore = gtk_button_new_with_label (_("Restore Defaults"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (restore), "page.restore-defaults");
  gtk_widget_set_tooltip_text (restore, _("Give the run being edited the settings the app starts with, and restart "
                                          "it; the data and the seed stay"));
  gtk_widget_set_halign (restore, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->controls.sidebar), restore);
}

/* ---- Drawing ---- */

void
dv_playground_page_get_run_config (DvPlaygroundPage *self, int side, DvPlaygroundConfig *cfg)
{
  g_return_if_fail (DV_IS_PLAYGROUND_PAGE (self) && side >= 0 && side < N_SIDES && cfg != NULL);
  *cfg = self->runs.cfg[side];
}

const float *
dv_playground_page_get_source_points (DvPlaygroundPage *self, size_t *n)
{
  g_return_val_if_fail (DV_IS_PLAYGROUND_PAGE (self) && n != NULL, NULL);
  if (self->data.source == DATA_DRAWN) {
    *n = self->data.drawn->len / 2;
    return (const float *) self->data.drawn->data;
  }
  if (self->data.source == DATA_CSV) {
    *n = self->data.csv.n;
    return self->data.csv.xy;
  }
  *n = self->data.points.n;
  return self->data.points.xy;
}

void
dv_playground_page_paint (DvPlaygroundPage *self, double x, double y, gboolean new_stroke)
{
  g_return_if_fail (DV_IS_PLAYGROUND_PAGE (self));
  if (self->data.source != DATA_DRAWN)
    return;
  if (new_stroke || self->data.strokes->len == 0) {
    guint start = self->data.drawn->len / 2;
    g_array_append_val (self->data.strokes, start);
  }
  for (int i = 0; i < BRUSH_POINTS; i++) {
    float p[2] = { (float) (x + BRUSH_SPREAD * dv_rng_normal (&self->data.brush_rng)),
                   (float) (y + BRUSH_SPREAD * dv_rng_normal (&self->data.brush_rng)) };
    g_array_append_vals (self->data.drawn, p, 2);
  }
  copy_drawn_points (self);
  for (int side = 0; side < N_SIDES; side++)
    dv_scatter_plot_set_data (self->plots.scatter[side], self->data.points.xy, self->data.points.n);
  for (int side = 0; side < N_SIDES; side++)
    if (side == 0 || self->runs.compare)
      _dv_playground_page_schedule_rebuild (self, side);
}

static void
on_scatter_paint (DvScatterPlot *plot, double x, double y, gboolean new_stroke, DvPlaygroundPage *self)
{
  dv_playground_page_paint (self, x, y, new_stroke);
}

static void
drawing_changed (DvPlaygroundPage *self)
{
  copy_drawn_points (self);
  for (int side = 0; side < N_SIDES; side++)
    dv_scatter_plot_set_data (self->plots.scatter[side], self->data.points.xy, self->data.points.n);
  _dv_playground_page_rebuild_all (self, START_AS_SETTINGS_SAY);
}

void
_dv_playground_page_undo_stroke (DvPlaygroundPage *self)
{
  if (self->data.strokes->len == 0)
    return;
  guint start = g_array_index (self->data.strokes, guint, self->data.strokes->len - 1);
  g_array_set_size (self->data.strokes, self->data.strokes->len - 1);
  g_array_set_size (self->data.drawn, 2 * start);
  drawing_changed (self);
}

void
_dv_playground_page_clear_drawing (DvPlaygroundPage *self)
{
  g_array_set_size (self->data.strokes, 0);
  g_array_set_size (self->data.drawn, 0);
  drawing_changed (self);
}

/* ---- Set-up ---- */

void
_dv_playground_page_controls_init (DvPlaygroundPage *self)
{
  build_page_controls (self);
  g_signal_connect (self->controls.edit_a_button, "toggled", G_CALLBACK (on_edit_side_toggled), self);
  g_signal_connect (self->controls.edit_b_button, "toggled", G_CALLBACK (on_edit_side_toggled), self);
  g_signal_connect (self->plots.scatter[0], "paint", G_CALLBACK (on_scatter_paint), self);
}
