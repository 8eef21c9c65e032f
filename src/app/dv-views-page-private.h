/* What the parts of the Views page share:
 *   dv-views-page.c          the page: loading objects (samples, PNG files, drops), the slots, GObject
 *   dv-views-page-generate.c the model's weights, Generate on a worker (decoding frames), the metrics' measure
 *   dv-views-page-player.c   the live or replayed frame in the slots, x_t / x̂₀, the timeline and replay
 *   dv-views-page-files.c    exports (the 4-view strip, the run as JSON) and their file chooser
 * Functions named _dv_views_page_* are the page's own, called across parts. */
#pragma once

#include "diffusion/masked_sampler.h"
#include "dv-job.h"
#include "dv-views-page.h"

G_BEGIN_DECLS

/* The side of a view as the model sees it. */
#define VIEW_SIDE 64
#define VIEW_FLOATS (3 * VIEW_SIDE * VIEW_SIDE)
/* The replay keeps the decoded frames of MAX_FRAMES evenly spaced steps, and
 * the live ones between them, up to 2 × MAX_FRAMES (then thinned by half). */
#define MAX_FRAMES 100

/* The autoencoder and the score model, loaded once (on a worker) and shared
 * by the runs: an atomic rc box, read-only once made. */
typedef struct _DvViewsModels DvViewsModels;
DvViewsModels *_dv_views_models_ref (DvViewsModels *models);
void _dv_views_models_unref (DvViewsModels *models);

/* One decoded step: each missing view's decoded x_t and x̂₀ as [S][S][3]
 * bytes (NULL for given views). An atomic rc box, immutable once made. */
typedef struct {
  int step, n_steps;
  double t;
  guint8 *rgb[2][4]; /* [0] x_t, [1] x̂₀ */
} ViewsFrame;
void _dv_views_frame_unref (ViewsFrame *frame);

/* What a finished run leaves: its settings, frames and the generated views. */
typedef struct {
  DvMaskedSamplerConfig sampler;
  guint given_mask, truth_mask;
  int n_steps;
  double seconds;
  GPtrArray *frames;      /* of ViewsFrame, in step order, the last one the end */
  float *views;           /* [4][3][S][S]: given views as loaded, the others generated */
  double psnr[4], ssim[4]; /* for generated views whose truth is known, else NAN */
} ViewsRun;
void _dv_views_run_free (ViewsRun *run);

struct _DvViewsPage
{
  AdwBin parent_instance;

  GListStore *images;
  char *object_title;
  int true_class;            /* of a sample, else -1 */
  DvViewSlot *slots[4];
  guint error_idle;
  GPtrArray *pending_errors; /* of char*: shown together once the window's own toast is out */
  gboolean loading;          /* slots change together: the "at least one given" rule waits */
  float *views;              /* [4][3][S][S]: the loaded views at the model's size (zeros where none) */

  /* Generation */
  struct {
    DvViewsModels *models;
    char *missing_weights;   /* why Generate cannot run for want of weights, or NULL */
    DvJob *job;
    ViewsFrame *live;        /* the newest frame while running */
    ViewsRun *run;           /* the last finished run */
    guint frame;             /* the frame of run shown */
    gboolean show_estimate;  /* x̂₀ rather than x_t */
    guint replay_tick;
    guint64 redraws;         /* live frames shown, while running */
    gint64 started_us;
  } gen;

  GtkNativeDialog *chooser;

  /* Template widgets */
  GtkStack *stack;
  AdwStatusPage *status_page;
  GtkMenuButton *empty_sample_button;
  GtkMenuButton *header_sample_button;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkFlowBox *views_box;
  GtkLabel *hint_label;
  GtkWidget *weights_box;
  GtkLabel *weights_label;
  GtkDropDown *sampler_dropdown;
  GtkLabel *sampler_label;
  GtkSpinButton *steps_spin;
  GtkSpinButton *seed_spin;
  GtkButton *generate_button;
  GtkButton *cancel_button;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkToggleButton *state_button;
  GtkToggleButton *estimate_button;
  GtkWidget *timeline_box;
  GtkButton *replay_button;
  GtkScale *timeline_scale;
  GtkLabel *timeline_label;
  GtkMenuButton *export_button;
  GtkToggleButton *smooth_button;
};

/* dv-views-page.c */
void _dv_views_page_show_error (DvViewsPage *self, const char *message);
guint _dv_views_page_given_mask (DvViewsPage *self);
/* Views with a loaded image (whose truth is known). */
guint _dv_views_page_image_mask (DvViewsPage *self);
/* The object or what is given changed: the last run no longer applies. */
void _dv_views_page_object_changed (DvViewsPage *self);
/* Emits "views-changed". */
void _dv_views_page_views_changed (DvViewsPage *self);

/* dv-views-page-generate.c */
void _dv_views_page_generate_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_generate_init (DvViewsPage *self);
void _dv_views_page_generate_dispose (DvViewsPage *self);
/* Enables Generate (or says why not), Cancel, the replay and the export. */
void _dv_views_page_update_generate (DvViewsPage *self);
void _dv_views_page_forget_run (DvViewsPage *self);
const char *_dv_views_page_view_id (int view);

/* dv-views-page-player.c */
void _dv_views_page_player_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_player_init (DvViewsPage *self);
void _dv_views_page_show_frame (DvViewsPage *self, const ViewsFrame *frame);
void _dv_views_page_show_step_text (DvViewsPage *self, const ViewsFrame *frame);
/* A frame of the last run, with its step, the timeline and (at the end) the metrics. */
void _dv_views_page_show_run_frame (DvViewsPage *self, guint index);
void _dv_views_page_stop_replay (DvViewsPage *self);

/* dv-views-page-files.c */
void _dv_views_page_files_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_files_dispose (DvViewsPage *self);

G_END_DECLS
