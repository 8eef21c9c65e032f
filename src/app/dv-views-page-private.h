/* What the parts of the Views page share:
 *   dv-views-page.c          the page: loading objects (samples, PNG files, drops), the slots, GObject
 *   dv-views-page-generate.c the model's weights, Generate on a worker (decoding frames), the metrics' measure
 *   dv-views-page-player.c   the live or replayed frame in the slots, x_t / x̂₀, the timeline and replay
 *   dv-views-page-files.c    exports (the 4-view strip, the run as JSON) and their file chooser
 * Functions named _dv_views_page_* are the page's own, called across parts. */
#pragma once

#include "diffusion/masked_sampler.h"
#include "dv-job.h"
#include "dv-latent-plot.h"
#include "dv-views-page.h"
#include "views/autoencoder.h"
#include "views/latent_map.h"
#include "views/score_model.h"

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
struct _DvViewsModels
{
  DvAutoencoder *ae;
  DvScoreModel *score;
  char *ae_id; /* its SHA-256: a latent map names the autoencoder it was made with */
};
DvViewsModels *_dv_views_models_ref (DvViewsModels *models);
void _dv_views_models_unref (DvViewsModels *models);
/* $DIMVIDA_VIEWS_WEIGHTS's or the shipped autoencoder and score model; FALSE (and neither set) if one is missing. */
gboolean _dv_views_find_weights (char **ae_path, char **score_path, GError **error);
/* Both models, refused unless they fit together; a new reference. */
DvViewsModels *_dv_views_load_models (const char *ae_path, const char *score_path, GError **error);

/* One decoded step: each missing view's decoded x_t and x̂₀ as [S][S][3]
 * bytes (NULL for given views). An atomic rc box, immutable once made. */
typedef struct {
  int step, n_steps;
  double t;
  int path_n;        /* the records of the run's path up to this step */
  guint8 *rgb[2][4]; /* [0] x_t, [1] x̂₀; a live frame may hold the kind shown only */
} ViewsFrame;
void _dv_views_frame_unref (ViewsFrame *frame);

/* The path of the missing views' latents on the latent map: a record every
 * few steps (at most MAX_PATH_RECORDS) of x_t and x̂₀ of every variation
 * and view projected, [2 kinds][K][4 views][2]. Appended on the worker,
 * counted by the atomic n after each record is written, so that the main
 * loop reads records below n without a lock. An atomic rc box. */
#define MAX_PATH_RECORDS 2000
#define VIEWS_PATH_RECORD(K) ((size_t) 2 * (K) * 4 * 2)
typedef struct {
  int variations, capacity;
  gint n;
  gboolean mismatch;  /* the map is of another autoencoder: no records */
  int *steps;         /* [capacity] */
  float *xy;          /* [capacity][VIEWS_PATH_RECORD] */
  float given_xy[8], truth_xy[8];
  guint given_mask, truth_mask;
} ViewsPath;
ViewsPath *_dv_views_path_ref (ViewsPath *path);
void _dv_views_path_unref (ViewsPath *path);

/* What a finished run leaves: its settings, frames and the generated views. */
typedef struct {
  DvMaskedSamplerConfig sampler;
  guint given_mask, truth_mask;
  int n_steps;
  double seconds;
  int variations;          /* K */
  GPtrArray *frames;       /* of ViewsFrame (variation 0), in step order, the last one the end */
  ViewsPath *path;         /* NULL without a latent map */
  float *views;            /* [4][3][S][S]: given views as loaded, the others generated (variation 0) */
  float *variation_views;  /* [K][4][3][S][S] */
  double *psnr, *ssim;     /* [K][4]: for generated views whose truth is known, else NAN */
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
    ViewsPath *path;         /* the running one's path on the latent map */
    guint frame;             /* the frame of run shown */
    gboolean show_estimate;  /* x̂₀ rather than x_t */
    guint replay_tick;
    guint64 redraws;         /* live frames shown, while running */
    gint64 first_live_us, last_live_us; /* when the first and the last of them were shown */
    gint64 last_map_us;      /* when the latent map last followed the run */
    gint64 started_us;
  } gen;

  GtkNativeDialog *chooser;
  GtkNativeDialog *open_chooser;

  /* An imported OBJ model (dv-views-page-open.c) */
  struct {
    char *name;  /* NULL while the object shown is not one */
    DvMesh mesh; /* as in the file */
    DvViewsUpAxis up;
    int turn;    /* quarter turns about the up axis */
    DvJob *job;
  } obj;

  /* The latent map (dv-views-page-map.c) */
  DvLatentMap map;           /* latent_dim 0: none */
  char *map_problem;         /* why there is none, or NULL */

  /* Variations (dv-views-page-map.c): rows of the last run's variations */
  GPtrArray *variation_rows; /* of GtkWidget */

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
  GtkSpinButton *variations_spin;
  DvLatentPlot *latent_plot;
  GtkLabel *map_label;
  GtkBox *variations_box;
  GtkLabel *variations_label;
  GtkWidget *obj_box;
  GtkToggleButton *up_y_button;
  GtkToggleButton *up_z_button;
  GtkLabel *obj_label;
};

/* dv-views-page.c */
void _dv_views_page_show_error (DvViewsPage *self, const char *message);
guint _dv_views_page_given_mask (DvViewsPage *self);
/* Views with a loaded image (whose truth is known). */
guint _dv_views_page_image_mask (DvViewsPage *self);
/* A 4:1 strip of floats as the object shown, the views of given_mask given. */
void _dv_views_page_show_strip (DvViewsPage *self, const DvImage *strip, const char *title, const char *source,
                                guint given_mask);
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
/* The kind (0 x_t, 1 x̂₀) the running job decodes for its live frames. */
void _dv_views_page_set_live_kind (DvViewsPage *self, int kind);

/* dv-views-page-player.c */
void _dv_views_page_player_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_player_init (DvViewsPage *self);
void _dv_views_page_show_frame (DvViewsPage *self, const ViewsFrame *frame);
void _dv_views_page_show_step_text (DvViewsPage *self, const ViewsFrame *frame);
/* A frame of the last run, with its step, the timeline and (at the end) the metrics. */
void _dv_views_page_show_run_frame (DvViewsPage *self, guint index);
void _dv_views_page_stop_replay (DvViewsPage *self);

/* dv-views-page-map.c: the latent map and the variations' rows */
void _dv_views_page_map_init (DvViewsPage *self);
void _dv_views_page_map_reload (DvViewsPage *self);
void _dv_views_page_map_dispose (DvViewsPage *self);
/* The path up to record n (all of it when n < 0) of the kind shown, with the given and true views' marks; NULL clears. */
void _dv_views_page_show_path (DvViewsPage *self, ViewsPath *path, int n);
/* The map is of another autoencoder than the model's: hidden, with why. */
void _dv_views_page_map_mismatch (DvViewsPage *self);
/* The rows of the last run's variations (none without a run). */
void _dv_views_page_show_variations (DvViewsPage *self);

/* dv-views-page-open.c: Open on this page, OBJ models */
void _dv_views_page_open_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_open_init (DvViewsPage *self);
void _dv_views_page_open_dispose (DvViewsPage *self);
void _dv_views_page_forget_obj (DvViewsPage *self);
/* PNG images (a single one into slot, or the next free view when slot < 0) and OBJ models. */
void _dv_views_page_open_files (DvViewsPage *self, GListModel *files, int slot, DvViewsUpAxis up);
/* y up and the front on +z, from a model's up axis and quarter turns. */
void _dv_views_orient_mesh (DvMesh *mesh, int up, int turn);

/* dv-views-page-files.c */
void _dv_views_page_files_class_init (GtkWidgetClass *widget_class);
void _dv_views_page_files_dispose (DvViewsPage *self);

G_END_DECLS
