#include "views/multiview.h"

#include "views/objects/registry.h"
#include "io/png.h"
#include "views/rasterizer.h"
#include "core/rng.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CACHE_MAGIC "DVMVIEW1"
#define CACHE_VERSION 1
#define CLASS_NAME_BYTES 16
/* Objects rendered between two writes of the cache: bounds memory, keeps order. */
#define CHUNK_OBJECTS 128

static const char *const split_names[DV_N_SPLITS] = { "d", "c", "e" };

const char *
dv_multiview_split_name (DvSplit split)
{
  DV_CHECK (split >= 0 && split < DV_N_SPLITS, "dv_multiview_split_name: split %d out of range", (int) split);
  return split_names[split];
}

void
dv_multiview_config_init (DvMultiviewConfig *config)
{
  config->seed = 1;
  config->per_class[DV_SPLIT_D] = 500;
  config->per_class[DV_SPLIT_C] = 150;
  config->per_class[DV_SPLIT_E] = 150;
  config->n_threads = 2;
  config->write_png = TRUE;
}

/* Each object draws from its own stream: (split, class) in the high word, its index in the low one. */
static void
object_stream (DvRng *rng, guint64 seed, DvSplit split, int class_index, guint index, int *given_view)
{
  dv_rng_init_stream (rng, seed, ((guint64) (split * 32 + class_index) << 32) | index);
  int view = (int) dv_rng_below (rng, DV_VIEW_COUNT);
  *given_view = split == DV_SPLIT_D ? DV_MULTIVIEW_ALL_VIEWS : view;
}

void
dv_multiview_object (guint64 seed, DvSplit split, int class_index, guint index, DvMesh *mesh, int *given_view)
{
  DvRng rng;
  object_stream (&rng, seed, split, class_index, index, given_view);
  dv_mesh_reset (mesh);
  dv_object_generate (class_index, &rng, mesh);
}

/* ---- writing ---- */

typedef struct {
  const DvMultiviewConfig *config;
  const char *dir;
  DvSplit split;
  guint first;     /* position of the chunk's first object in the split */
  guint count;
  guint8 *pixels;  /* [count][DV_VIEW_COUNT][64][64][3] */
  gint next;       /* the next object to take, atomically */
  gint failed;
  GMutex lock;
  GError *error;   /* the first failure */
  GCancellable *cancellable;
} Chunk;

static const gsize view_bytes = 3 * DV_VIEW_SIZE * DV_VIEW_SIZE;

static char *
png_relative_path (DvSplit split, int class_index, guint index, int view)
{
  return g_strdup_printf ("%s/%s/%05u-%s.png", dv_multiview_split_name (split), dv_object_class_name (class_index), index,
                          dv_view_name (view));
}

static void
chunk_fail (Chunk *chunk, GError *error)
{
  g_mutex_lock (&chunk->lock);
  if (chunk->error == NULL)
    chunk->error = error;
  else
    g_error_free (error);
  g_atomic_int_set (&chunk->failed, 1);
  g_mutex_unlock (&chunk->lock);
}

/* Temp file + rename, like g_file_set_contents, but without its fsync when
 * the file exists: rewriting a dataset's 30,000 PNG files took twice as long
 * with it, and a dataset can always be written again. */
static gboolean
write_png_atomically (const char *path, const guint8 *rgb, GError **error)
{
  g_autoptr (GBytes) bytes = dv_png_encode_rgb8 (rgb, DV_VIEW_SIZE, DV_VIEW_SIZE, error);
  if (!bytes)
    return FALSE;
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not create %s: %s", tmp, g_strerror (saved));
      return FALSE;
    }
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize written = 0;
  int saved = EIO;
  while (written < len)
    {
      gssize n = write (fd, data + written, len - written);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved = n < 0 ? errno : EIO;
          break;
        }
      written += (gsize) n;
    }
  gboolean ok = written == len;
  if (close (fd) != 0 && ok)
    ok = FALSE, saved = errno;
  if (ok && g_rename (tmp, path) != 0)
    ok = FALSE, saved = errno;
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gpointer
chunk_worker (gpointer data)
{
  Chunk *chunk = data;
  const DvMultiviewConfig *config = chunk->config;
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (NULL);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&chunk->next, 1);
      if (i >= chunk->count || g_atomic_int_get (&chunk->failed))
        break;
      GError *error = NULL;
      if (dv_check_cancelled (chunk->cancellable, &error))
        {
          chunk_fail (chunk, error);
          break;
        }
      guint position = chunk->first + i, per_class = config->per_class[chunk->split];
      int class_index = (int) (position / per_class);
      guint index = position % per_class;
      int given;
      dv_multiview_object (config->seed, chunk->split, class_index, index, &mesh, &given);
      guint8 *views = chunk->pixels + (gsize) i * DV_VIEW_COUNT * view_bytes;
      dv_rasterizer_render_views (rasterizer, &mesh, views);
      if (!config->write_png)
        continue;
      for (int v = 0; v < DV_VIEW_COUNT; v++)
        {
          if (given != DV_MULTIVIEW_ALL_VIEWS && v != given)
            continue;
          g_autofree char *rel = png_relative_path (chunk->split, class_index, index, v);
          g_autofree char *path = g_build_filename (chunk->dir, rel, NULL);
          if (!write_png_atomically (path, views + v * view_bytes, &error))
            {
              chunk_fail (chunk, error);
              break;
            }
        }
    }
  dv_mesh_clear (&mesh);
  return NULL;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static gboolean
write_all (FILE *f, const void *data, gsize len, const char *path, GError **error)
{
  if (len > 0 && fwrite (data, 1, len, f) != len)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Renders one split, streaming it into its cache; PNG files and index rows on the way. */
static gboolean
write_split (const DvMultiviewConfig *config, const char *dir, DvSplit split, GString *index_csv, gint64 *done,
             gint64 total, DvProgressFunc progress, gpointer user_data, GCancellable *cancellable, GError **error)
{
  guint per_class = config->per_class[split];
  guint n = per_class * DV_N_OBJECT_CLASSES;
  g_autofree char *final_path = g_strdup_printf ("%s/%s.dvmv", dir, dv_multiview_split_name (split));
  g_autofree char *tmp_path = g_strdup_printf ("%s/.%s.dvmv.XXXXXX", dir, dv_multiview_split_name (split));
  int fd = g_mkstemp_full (tmp_path, O_WRONLY, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not create a file in %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  FILE *f = fdopen (fd, "wb");
  DV_CHECK (f != NULL, "fdopen failed");

  guint8 header[DV_MULTIVIEW_HEADER_SIZE] = { 0 };
  memcpy (header, CACHE_MAGIC, 8);
  guint32 fields[8] = { CACHE_VERSION, split, n, DV_VIEW_COUNT, DV_VIEW_SIZE, DV_VIEW_SIZE, 3, DV_N_OBJECT_CLASSES };
  for (int i = 0; i < 8; i++)
    put_u32 (header + 8 + 4 * i, fields[i]);
  put_u32 (header + 40, (guint32) config->seed);
  put_u32 (header + 44, (guint32) (config->seed >> 32));
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    g_strlcpy ((char *) header + 48 + CLASS_NAME_BYTES * k, dv_object_class_name (k), CLASS_NAME_BYTES);

  /* Labels, given views and indices are known before rendering: the view is the stream's first draw. */
  g_autofree guint8 *labels = g_new (guint8, MAX (n, 1));
  g_autofree guint8 *given = g_new (guint8, MAX (n, 1));
  g_autofree guint8 *indices = g_new (guint8, 4 * (gsize) MAX (n, 1));
  for (guint p = 0; p < n; p++)
    {
      DvRng rng;
      int view;
      object_stream (&rng, config->seed, split, (int) (p / per_class), p % per_class, &view);
      labels[p] = (guint8) (p / per_class);
      given[p] = (guint8) view;
      put_u32 (indices + 4 * (gsize) p, p % per_class);
    }
  gboolean ok = write_all (f, header, sizeof header, tmp_path, error) && write_all (f, labels, n, tmp_path, error)
                && write_all (f, given, n, tmp_path, error) && write_all (f, indices, 4 * (gsize) n, tmp_path, error);

  Chunk chunk = { 0 };
  chunk.config = config;
  chunk.dir = dir;
  chunk.split = split;
  chunk.cancellable = cancellable;
  chunk.pixels = g_new (guint8, (gsize) CHUNK_OBJECTS * DV_VIEW_COUNT * view_bytes);
  g_mutex_init (&chunk.lock);
  int n_threads = CLAMP (config->n_threads, 1, 64);
  GThread **threads = g_new0 (GThread *, n_threads);
  for (guint first = 0; ok && first < n; first += CHUNK_OBJECTS)
    {
      chunk.first = first;
      chunk.count = MIN (CHUNK_OBJECTS, n - first);
      chunk.next = 0;
      for (int t = 1; t < n_threads; t++)
        threads[t] = g_thread_new ("dv-views", chunk_worker, &chunk);
      chunk_worker (&chunk);
      for (int t = 1; t < n_threads; t++)
        g_thread_join (threads[t]);
      if (chunk.error)
        {
          g_propagate_error (error, chunk.error);
          chunk.error = NULL;
          ok = FALSE;
          break;
        }
      ok = write_all (f, chunk.pixels, (gsize) chunk.count * DV_VIEW_COUNT * view_bytes, tmp_path, error);
      for (guint i = 0; ok && config->write_png && i < chunk.count; i++)
        {
          guint p = first + i;
          int class_index = (int) (p / per_class);
          for (int v = 0; v < DV_VIEW_COUNT; v++)
            {
              if (split != DV_SPLIT_D && v != given[p])
                continue;
              g_autofree char *rel = png_relative_path (split, class_index, p % per_class, v);
              g_string_append_printf (index_csv, "%s,%s-%s-%05u,%s,%s,%s\n", dv_multiview_split_name (split),
                                      dv_object_class_name (class_index), dv_multiview_split_name (split), p % per_class,
                                      dv_object_class_name (class_index), dv_view_name (v), rel);
            }
        }
      *done += chunk.count;
      if (progress)
        {
          DvProgress pr = { "Rendering objects", *done, total };
          progress (&pr, user_data);
        }
    }
  g_free (threads);
  g_free (chunk.pixels);
  g_mutex_clear (&chunk.lock);

  if (fclose (f) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not write %s: %s", tmp_path, g_strerror (saved));
      ok = FALSE;
    }
  if (ok && g_rename (tmp_path, final_path) != 0)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not rename %s to %s: %s", tmp_path, final_path,
                   g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);
  return ok;
}

gboolean
dv_multiview_dataset_write (const DvMultiviewConfig *config, const char *dir, DvProgressFunc progress,
                            gpointer user_data, GCancellable *cancellable, GError **error)
{
  for (int s = 0; s < DV_N_SPLITS; s++)
    if (config->per_class[s] > DV_MULTIVIEW_MAX_PER_CLASS)
      {
        g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%u objects per class in split %s is more than %d",
                     config->per_class[s], dv_multiview_split_name (s), DV_MULTIVIEW_MAX_PER_CLASS);
        return FALSE;
      }
  if (config->n_threads < 1)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Need at least one thread, not %d", config->n_threads);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not create %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (config->write_png)
    for (int s = 0; s < DV_N_SPLITS; s++)
      for (int k = 0; k < DV_N_OBJECT_CLASSES && config->per_class[s] > 0; k++)
        {
          g_autofree char *sub = g_build_filename (dir, dv_multiview_split_name (s), dv_object_class_name (k), NULL);
          if (g_mkdir_with_parents (sub, 0755) != 0)
            {
              int saved = errno;
              g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not create %s: %s", sub, g_strerror (saved));
              return FALSE;
            }
        }

  gint64 total = 0, done = 0;
  for (int s = 0; s < DV_N_SPLITS; s++)
    total += (gint64) config->per_class[s] * DV_N_OBJECT_CLASSES;
  g_autoptr (GString) index_csv = g_string_new ("split,object_id,class,view,path\n");
  for (int s = 0; s < DV_N_SPLITS; s++)
    if (!write_split (config, dir, s, index_csv, &done, total, progress, user_data, cancellable, error))
      return FALSE;
  if (config->write_png)
    {
      g_autofree char *csv_path = g_build_filename (dir, "index.csv", NULL);
      if (!g_file_set_contents (csv_path, index_csv->str, (gssize) index_csv->len, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- loading ---- */

void
dv_multiview_set_clear (DvMultiviewSet *set)
{
  g_free (set->labels);
  g_free (set->given_views);
  g_free (set->object_indices);
  g_free (set->pixels);
  memset (set, 0, sizeof *set);
}

const guint8 *
dv_multiview_set_view (const DvMultiviewSet *set, guint object, int view)
{
  DV_CHECK (object < set->n_objects && view >= 0 && view < set->n_views,
            "dv_multiview_set_view: object %u view %d out of range", object, view);
  gsize per_view = 3 * (gsize) set->height * set->width;
  return set->pixels + ((gsize) object * set->n_views + view) * per_view;
}

static gboolean
read_exact (FILE *f, void *data, gsize len, const char *path, GError **error)
{
  if (len > 0 && fread (data, 1, len, f) != len)
    {
      g_set_error (error, DV_ERROR, ferror (f) ? DV_ERROR_IO : DV_ERROR_FORMAT, "%s is truncated", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
dv_multiview_set_load (const char *path, DvMultiviewSet *set, GError **error)
{
  memset (set, 0, sizeof *set);
  FILE *f = g_fopen (path, "rb");
  if (!f)
    {
      int saved = errno;
      g_set_error (error, DV_ERROR, DV_ERROR_IO, "Could not open %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  guint8 header[DV_MULTIVIEW_HEADER_SIZE];
  gboolean ok = read_exact (f, header, sizeof header, path, error);
  if (ok && memcmp (header, CACHE_MAGIC, 8) != 0)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s is not a multi-view cache", path);
      ok = FALSE;
    }
  guint32 version = 0, split = 0, n = 0, views = 0, height = 0, width = 0, channels = 0, classes = 0;
  if (ok)
    {
      version = get_u32 (header + 8), split = get_u32 (header + 12), n = get_u32 (header + 16);
      views = get_u32 (header + 20), height = get_u32 (header + 24), width = get_u32 (header + 28);
      channels = get_u32 (header + 32), classes = get_u32 (header + 36);
      if (version != CACHE_VERSION || split >= DV_N_SPLITS || views != DV_VIEW_COUNT || channels != 3
          || classes != DV_N_OBJECT_CLASSES || height == 0 || width == 0)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT,
                       "%s: unsupported cache (version %u, split %u, %u views, %u channels, %u classes, %u×%u)", path,
                       version, split, views, channels, classes, width, height);
          ok = FALSE;
        }
    }
  if (ok && (n > (guint32) DV_MULTIVIEW_MAX_PER_CLASS * DV_N_OBJECT_CLASSES || height > 1024 || width > 1024))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_TOO_LARGE, "%s: %u objects of %u×%u is implausibly large", path, n, width,
                   height);
      ok = FALSE;
    }
  for (guint k = 0; ok && k < classes; k++)
    {
      char name[CLASS_NAME_BYTES + 1] = { 0 };
      memcpy (name, header + 48 + CLASS_NAME_BYTES * k, CLASS_NAME_BYTES);
      if (strcmp (name, dv_object_class_name ((int) k)) != 0)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: class %u is '%s', expected '%s'", path, k, name,
                       dv_object_class_name ((int) k));
          ok = FALSE;
        }
    }
  gsize pixel_bytes = (gsize) n * views * height * width * 3;
  if (ok)
    {
      /* The size must match exactly: catches truncation before allocating. */
      GStatBuf st;
      gsize expected = DV_MULTIVIEW_HEADER_SIZE + 6 * (gsize) n + pixel_bytes;
      if (g_stat (path, &st) != 0 || (gsize) st.st_size != expected)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s has %" G_GINT64_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
                       path, (gint64) st.st_size, expected);
          ok = FALSE;
        }
    }
  if (ok)
    {
      set->split = split;
      set->seed = (guint64) get_u32 (header + 40) | (guint64) get_u32 (header + 44) << 32;
      set->n_objects = n;
      set->n_views = (int) views;
      set->height = (int) height;
      set->width = (int) width;
      set->labels = g_new (guint8, MAX (n, 1));
      set->given_views = g_new (guint8, MAX (n, 1));
      set->object_indices = g_new (guint32, MAX (n, 1));
      set->pixels = g_new (guint8, MAX (pixel_bytes, 1));
      g_autofree guint8 *raw = g_new (guint8, 4 * (gsize) MAX (n, 1));
      ok = read_exact (f, set->labels, n, path, error) && read_exact (f, set->given_views, n, path, error)
           && read_exact (f, raw, 4 * (gsize) n, path, error) && read_exact (f, set->pixels, pixel_bytes, path, error);
      for (guint i = 0; ok && i < n; i++)
        {
          set->object_indices[i] = get_u32 (raw + 4 * (gsize) i);
          gboolean view_ok = split == DV_SPLIT_D ? set->given_views[i] == DV_MULTIVIEW_ALL_VIEWS
                                                 : set->given_views[i] < views;
          if (set->labels[i] >= classes || !view_ok)
            {
              g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "%s: object %u has label %u and view %u", path, i,
                           set->labels[i], set->given_views[i]);
              ok = FALSE;
            }
        }
    }
  fclose (f);
  if (!ok)
    dv_multiview_set_clear (set);
  return ok;
}
