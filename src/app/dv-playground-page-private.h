/* What the parts of the Playground page share:
 *   dv-playground-page.c          the page: its runs, compare mode, the denoising field, getters, GObject
 *   dv-playground-page-actions.c  its actions and accelerators
 *   dv-playground-page-controls.c the settings sidebar, the data it makes (drawing included)
 *   dv-playground-page-player.c   the reverse-process player
 *   dv-playground-page-files.c    exports, configuration files, CSV import, file choosers
 *   dv-playground-page-layout.c   when the settings fold away; toasts
 *   dv-playground-page-status.c   the final scores, the spinner, figures in words
 * Functions named _dv_playground_page_* are the page's own, called across parts. */
#pragma once

#include "dv-playground-page.h"
#include "dv-playground-run.h"
#include "dv-schedule-plot.h"
#include "toy/data.h"

G_BEGIN_DECLS

#define N_SIDES 2
/* "Draw your own" paints on a fixed square, so the canvas never moves under the pen. */
#define DRAW_HALF_SIDE 4.0

typedef enum { DATA_CIRCLE, DATA_DINO, DATA_LINE, DATA_MOONS, DATA_DRAWN, DATA_CSV, N_DATA_SOURCES } DataSource;
/* The data's names in files and in the page.dataset action. */
extern const char *const _dv_playground_page_data_keys[N_DATA_SOURCES];

/* The rows of the run settings, one per field of DvPlaygroundConfig they
 * edit (their table is in dv-playground-page-controls.c). */
#define N_RUN_CONTROLS 17
typedef enum { GROUP_DATA, GROUP_DIFFUSION, GROUP_MODEL, GROUP_GAN, GROUP_SEED, N_GROUPS } ControlGroup;

/* What a rebuilt run starts from: the shipped weights when the settings are
 * the ones they were trained with (one run, not side by side), fresh weights
 * whatever the settings (Reset), or the shipped weights whatever the
 * settings ("Load trained model"). */
typedef enum { START_AS_SETTINGS_SAY, START_FRESH, START_TRAINED } RunStart;

/* What a file action does with the path its chooser returns. */
typedef gboolean (*PageFileFunc) (DvPlaygroundPage *self, const char *path, GError **error);

/* One side of the page (A, or B in compare mode): its run and what the page
 * last copied from it. */
typedef struct {
  DvPlaygroundRun *run;
  guint samples_seen, heat_seen, field_seen, film_seen;
  size_t losses_seen, divergences_seen;
  float *live;             /* the last live samples */
  size_t n_live;
  float *film;             /* [frames][n][2] */
  int film_frames;
  size_t film_n;
  gboolean error_shown;
  int field_t;
  gboolean trained;        /* the run resumes the shipped weights */
  gboolean trained_synced; /* ...and the controls show what they were trained with */
} Side;

struct _DvPlaygroundPage {
  AdwBin parent_instance;

  /* The row over the plots (template children). */
  struct {
    GtkWidget *sidebar_button, *play_button, *step_button, *reset_button, *trained_button;
    GtkWidget *compare_button, *copy_button, *swap_button, *export_button;
    GtkWidget *status_label, *spinner;
  } toolbar;

  /* The scatter of each side and the two curves under them (template children). */
  struct {
    DvScatterPlot *scatter[N_SIDES];
    DvCurvePlot *loss_plot, *divergence_plot;
    int loss_series[N_SIDES][2];       /* denoiser, discriminator */
    int divergence_series[N_SIDES][2]; /* KL, JS */
  } plots;

  /* The settings sidebar (made in code, but for its box and the A | B
   * switcher) and the side it edits. */
  struct {
    GtkWidget *flap, *sidebar, *side_switcher, *edit_a_button, *edit_b_button;
    GtkWidget *group_boxes[N_GROUPS];
    GtkWidget *run_widgets[N_RUN_CONTROLS];
    GtkWidget *run_rows[N_RUN_CONTROLS];
    GtkWidget *data_row, *points_spin, *draw_row, *data_error_label, *seed_spin, *speed_spin;
    DvSchedulePlot *schedule_plot;
    int editing;              /* 0: A, 1: B */
    gboolean syncing;         /* writing widgets from the config: ignore their signals */
  } controls;

  /* The points the runs learn, and where they came from. */
  struct {
    DataSource source;
    int n_points;
    guint64 seed;              /* makes the data, and seeds the runs */
    DvToyData points;          /* what the runs train on */
    GArray *drawn;             /* float pairs painted by hand */
    GArray *strokes;           /* guint: where each stroke starts in drawn (in points) */
    DvToyData csv;             /* the last imported CSV */
    DvRng brush_rng;
    double x0, x1, y0, y1;     /* shared axes */
  } data;

  /* The runs of both sides and how they play. */
  struct {
    DvPlaygroundConfig cfg[N_SIDES];
    Side sides[N_SIDES];
    gboolean compare;
    gboolean playing;
    int steps_per_frame;
    guint rebuild_source;
    gboolean rebuild_pending[N_SIDES];
    /* What Reset replaced, paused, until Undo brings it back or another
     * rebuild makes it stale. */
    DvPlaygroundRun *undo[N_SIDES];
    gboolean resetting;
  } runs;

  /* The denoising field (template children and the page.field state). */
  struct {
    GtkWidget *field_button, *field_scale;
    gboolean show_field;
  } field;

  /* The reverse-process player (template children and the page.film state). */
  struct {
    GtkWidget *film_button, *film_play_button, *film_scale, *film_label, *trails_check;
    guint film_timer;
    gboolean show_film;
  } player;

  struct {
    GtkNativeDialog *chooser;
  } files;

  struct {
    char *last;     /* the last toast, for tests */
    char *pending;  /* said before the page had a window */
  } toasts;
};

static inline const char *
side_name (int side)
{
  return side == 0 ? "A" : "B";
}

static inline void
set_accessible_label (GtkWidget *widget, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static inline void
label_widget (GtkWidget *widget, const char *label, const char *tooltip)
{
  gtk_widget_set_tooltip_text (widget, tooltip);
  set_accessible_label (widget, label);
}

/* dv-playground-page-layout.c */
void _dv_playground_page_class_layout_init (DvPlaygroundPageClass *klass);
/* Whether the settings fold away on a page this wide at this zoom. */
gboolean _dv_playground_page_should_fold (int width, double zoom);
void _dv_playground_page_show_toast (DvPlaygroundPage *self, const char *message);
void _dv_playground_page_on_root_changed (DvPlaygroundPage *self, GParamSpec *pspec, gpointer unused);

/* dv-playground-page-status.c */
void _dv_playground_page_update_status (DvPlaygroundPage *self);
/* "45 s", "12 min", "1 h 5 min". */
char *_dv_playground_page_format_duration (double seconds);
/* A kNN KL in bits; an estimate below 0 reads "≈ 0 (−0.012)". */
char *_dv_playground_page_format_knn_kl (double kl);
/* How grid KL and kNN KL differ (a tooltip). */
const char *_dv_playground_page_knn_kl_explained (void);

/* dv-playground-page.c */
void _dv_playground_page_rebuild_run (DvPlaygroundPage *self, int side, RunStart start);
void _dv_playground_page_rebuild_all (DvPlaygroundPage *self, RunStart start);
/* Cancels a side's run and forgets it. */
void _dv_playground_page_drop_run (DvPlaygroundPage *self, int side);
void _dv_playground_page_on_run_updated (DvPlaygroundRun *run, DvPlaygroundPage *self);

/* dv-playground-page-actions.c: Reset, with an Undo in its toast; the Undo;
 * forgetting what Reset kept. */
void _dv_playground_page_reset (DvPlaygroundPage *self);
void _dv_playground_page_undo_reset (DvPlaygroundPage *self);
void _dv_playground_page_drop_undo (DvPlaygroundPage *self);
void _dv_playground_page_schedule_rebuild (DvPlaygroundPage *self, int side);
void _dv_playground_page_cancel_pending_rebuild (DvPlaygroundPage *self);
/* Makes the data again from the current source and restarts the runs; a failure shows under Data. */
void _dv_playground_page_reload_data_and_runs (DvPlaygroundPage *self);
void _dv_playground_page_update_side (DvPlaygroundPage *self, int side);
void _dv_playground_page_clear_side_view (DvPlaygroundPage *self, int side);
void _dv_playground_page_update_titles (DvPlaygroundPage *self);
void _dv_playground_page_set_compare (DvPlaygroundPage *self, gboolean compare);
void _dv_playground_page_update_play_button (DvPlaygroundPage *self);
char *_dv_playground_page_trained_model_path (DvPlaygroundPage *self, GError **error);

/* dv-playground-page-actions.c */
void _dv_playground_page_class_actions_init (DvPlaygroundPageClass *klass);
void _dv_playground_page_actions_init (DvPlaygroundPage *self);

/* dv-playground-page-controls.c */
void _dv_playground_page_controls_init (DvPlaygroundPage *self);
/* Writes the edited side's config and the page's data settings into the widgets. */
void _dv_playground_page_sync_controls (DvPlaygroundPage *self);
/* Makes data.points from the current source; on error FALSE, the data
 * unchanged and the reason shown under Data (cleared on success). */
gboolean _dv_playground_page_remake_data (DvPlaygroundPage *self);
void _dv_playground_page_set_data_error (DvPlaygroundPage *self, const char *message);
void _dv_playground_page_copy_points (DvToyData *dst, const float *xy, size_t n);
void _dv_playground_page_undo_stroke (DvPlaygroundPage *self);
void _dv_playground_page_clear_drawing (DvPlaygroundPage *self);

/* An open popover's tooltip owner keeps quiet: a tooltip over a dropdown
 * or a menu hides its first item. */
void _dv_playground_page_quiet_tooltip_while_open (GtkWidget *owner, GtkWidget *popover);

/* dv-playground-page-player.c */
void _dv_playground_page_player_init (DvPlaygroundPage *self);
/* A side's film changed: show it, and play a fresh one from noise to data. */
void _dv_playground_page_player_film_changed (DvPlaygroundPage *self);
/* page.film was switched on or off. */
void _dv_playground_page_player_toggled (DvPlaygroundPage *self);
void _dv_playground_page_player_stop (DvPlaygroundPage *self);

/* dv-playground-page-files.c */
/* Asks for a file (at most one chooser at a time), then calls func on it
 * and says how it went. */
void _dv_playground_page_choose_file (DvPlaygroundPage *self, gboolean save, const char *title, const char *suggested,
                                      const char *pattern, PageFileFunc func);
void _dv_playground_page_files_dispose (DvPlaygroundPage *self);

G_END_DECLS
