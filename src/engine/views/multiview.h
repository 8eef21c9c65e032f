/* The multi-view object dataset: 13 classes of procedural objects, each seen
 * from the camera ring (front, right, back, left), in three splits of
 * disjoint objects:
 *   d  all 4 views of each object: trains the autoencoder and the score model;
 *   c  one random view per object: trains classifiers;
 *   e  one random view per object: evaluates them.
 *
 * On disk, under the output directory:
 *   <split>/<class>/<index>-<view>.png   the PNG files (d: 4 per object; c, e: the given view)
 *   index.csv                            split,object_id,class,view,path (one row per PNG)
 *   <split>.dvmv                         the cache below, for fast training loads
 *
 * The cache (little-endian) holds all 4 views of every object of a split, so
 * that c and e can also be voted on with real views:
 *   header, DV_MULTIVIEW_HEADER_SIZE bytes: "DVMVIEW1", u32 version, split,
 *     n_objects, n_views, height, width, channels, n_classes, u64 seed, then
 *     n_classes names of 16 bytes (NUL padded);
 *   u8  label[n_objects]        class index
 *   u8  given_view[n_objects]   the view of splits c and e; DV_MULTIVIEW_ALL_VIEWS for d
 *   u32 object_index[n_objects] index of the object within its class and split
 *   u8  pixels[n_objects][n_views][height][width][3]
 * Objects are stored class by class. Everything is written atomically and is
 * a function of the seed alone (not of the number of threads). */
#pragma once

#include "core/common.h"
#include "views/mesh.h"

G_BEGIN_DECLS

typedef enum {
  DV_SPLIT_D,
  DV_SPLIT_C,
  DV_SPLIT_E,
  DV_N_SPLITS,
} DvSplit;

#define DV_MULTIVIEW_HEADER_SIZE 256
#define DV_MULTIVIEW_ALL_VIEWS 255
/* Sanity limit for per-class counts and for caches being loaded. */
#define DV_MULTIVIEW_MAX_PER_CLASS 100000

const char *dv_multiview_split_name (DvSplit split);

typedef struct {
  guint64 seed;
  guint per_class[DV_N_SPLITS];  /* objects per class in d, c, e: 500, 150, 150 */
  int n_threads;                 /* workers rendering objects; 2 */
  gboolean write_png;            /* TRUE: PNG files and index.csv besides the caches */
} DvMultiviewConfig;

void dv_multiview_config_init (DvMultiviewConfig *config);

/* Object `index` of a class in a split: its mesh (reset first) and the view
 * its split shows (a random one for c and e, DV_MULTIVIEW_ALL_VIEWS for d).
 * Each object has its own RNG stream, so it does not depend on the counts. */
void dv_multiview_object (guint64 seed, DvSplit split, int class_index, guint index, DvMesh *mesh, int *given_view);

/* Writes the dataset into `dir` (created if needed). Progress counts objects. */
gboolean dv_multiview_dataset_write (const DvMultiviewConfig *config, const char *dir, DvProgressFunc progress,
                                     gpointer user_data, GCancellable *cancellable, GError **error);

/* One split loaded from its cache. */
typedef struct {
  DvSplit split;
  guint64 seed;
  guint n_objects;
  int n_views;
  int height;
  int width;
  guint8 *labels;          /* [n_objects] */
  guint8 *given_views;     /* [n_objects] */
  guint32 *object_indices; /* [n_objects] */
  guint8 *pixels;          /* [n_objects][n_views][height][width][3] */
} DvMultiviewSet;

/* Malformed, truncated or implausible caches give a GError (DV_ERROR_FORMAT, DV_ERROR_TOO_LARGE, DV_ERROR_IO). */
gboolean dv_multiview_set_load (const char *path, DvMultiviewSet *set, GError **error);
void dv_multiview_set_clear (DvMultiviewSet *set);
/* The pixels of one view of one object: [height][width][3]. */
const guint8 *dv_multiview_set_view (const DvMultiviewSet *set, guint object, int view);

G_END_DECLS
