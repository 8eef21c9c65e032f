/* dimvida views: the multi-view object dataset, OBJ renders and contact sheets; the dispatch to the autoencoder's
 * (views_ae_cmd.c) and the score model's (views_score_cmd.c, views_eval_cmd.c) subcommands. */
#include "commands.h"
#include "views/multiview.h"
#include "views/obj.h"
#include "views/objects/registry.h"
#include "io/png.h"
#include "views/rasterizer.h"

#include <cairo.h>
#include <stdio.h>
#include <string.h>

static const char views_usage[] =
  "Usage: dimvida views COMMAND [OPTIONS]\n\n"
  "Commands:\n"
  "  dataset --out DIR [--seed N] [--per-class D,C,E] [--threads N] [--no-png]\n"
  "          Write splits d, c, e (500,150,150 objects per class by default): PNG files,\n"
  "          index.csv and one binary cache per split\n"
  "  render  (--obj FILE.obj | --class NAME [--seed N] [--index I]) --out STRIP.png [--size PX]\n"
  "          Render an object from the front, right, back and left into one strip\n"
  "  sheet   --out SHEET.png [--seed N] [--objects N] [--class NAME] [--columns N] [--size PX]\n"
  "          A contact sheet: N objects (8) of every class from all 4 views\n"
  "  train-ae --data DIR [--out DIR] [--resume FILE] [--minutes M] [--steps N] [--seed S] [--threads T]\n"
  "          Train the view autoencoder on split d (checkpoints; resumable)\n"
  "  reconstruct IN.png --out OUT.png [--model FILE]\n"
  "          Encode and decode a view or a 4-view strip (any size) with the autoencoder\n"
  "  encode IN.png --out LATENT.csv [--model FILE]   /   decode LATENT.csv --out OUT.png [--model FILE]\n"
  "  eval-ae --data DIR [--split e] [--model FILE]\n"
  "          PSNR and SSIM of reconstructions per class\n"
  "  export-ae CHECKPOINT --out FILE [--f16] [--meta KEY=VALUE …]\n"
  "          The weights alone, from a train-ae checkpoint\n"
  "  bench-conv [--shapes LIST] [--ae-batch B] [--backend onednn|im2col] [--threads T]\n"
  "          Time convolutions and an autoencoder step (bench/conv_torch.py sets them against PyTorch)\n"
  "  train-score --data DIR [--ae FILE] [--out DIR] [--resume FILE] [--minutes M] [--steps N] [--seed S]\n"
  "          [--threads T] [--width W] [--batch B] [--mask-draw batch|object]\n"
  "          Train the masked score model on split d's latents (encoded once; checkpoints; resumable)\n"
  "  generate --given front[,right,back,left] IN.png --out OUT.png [--steps N] [--sampler em|ode|repaint]\n"
  "          [--seed S] [--variations K] [--frames DIR] [--model FILE] [--ae FILE] [--precision bf16|f32]\n"
  "          The missing views from the given ones: a 4-view strip per variation\n"
  "  eval --data DIR [--objects N] [--steps N] [--sampler NAME] [--cache FILE] [--model FILE] [--ae FILE]\n"
  "          [--precision bf16|f32]\n"
  "          The paper's Table I on split e, with the autoencoder's ceiling and nearest-neighbour retrieval\n"
  "  bench-score [--widths 256,384,512] [--batch B] [--generate-steps N] [--threads T] [--precision f32,bf16]\n"
  "          [--small-batch K] [--linears]\n"
  "          Time score-network training steps, forwards and a generation in each precision, and the Linear\n"
  "          products (bench/score_torch.py sets them against PyTorch)\n"
  "  latent-map --data DIR --out FILE [--ae FILE] [--cache FILE] [--points N]\n"
  "          The 2D PCA map of split d's view latents, drawn under the Views page's reverse-process paths\n";

static void
print_progress (const DvProgress *progress, gpointer user_data)
{
  gint64 *last = user_data;
  gint64 now = g_get_monotonic_time ();
  if (progress->done < progress->total && now - *last < 500000)
    return;
  *last = now;
  fprintf (stderr, "\r%s: %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, progress->what, progress->done, progress->total);
  if (progress->done == progress->total)
    fputc ('\n', stderr);
  fflush (stderr);
}

static gboolean
parse_per_class (const char *text, DvMultiviewConfig *config)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != DV_N_SPLITS)
    return FALSE;
  for (int s = 0; s < DV_N_SPLITS; s++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[s]), 10, 0, DV_MULTIVIEW_MAX_PER_CLASS, &v, NULL))
        return FALSE;
      config->per_class[s] = (guint) v;
    }
  return TRUE;
}

static int
cmd_dataset (int argc, char **argv)
{
  char *out = NULL, *per_class = NULL;
  gint64 seed = 1;
  int threads = 2;
  gboolean no_png = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output directory", "DIR" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (1)", "N" },
    { "per-class", 0, 0, G_OPTION_ARG_STRING, &per_class, "Objects per class in d, c, e (500,150,150)", "D,C,E" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Worker threads (2); the output does not depend on it", "N" },
    { "no-png", 0, 0, G_OPTION_ARG_NONE, &no_png, "Only write the binary caches", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- write the multi-view dataset");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out, *per_class_owned = per_class;
  if (!out)
    return dv_cli_fail ("views dataset needs --out DIR");
  if (seed < 0)
    return dv_cli_fail ("--seed must not be negative");
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.seed = (guint64) seed;
  config.n_threads = threads;
  config.write_png = !no_png;
  if (per_class && !parse_per_class (per_class, &config))
    return dv_cli_fail ("--per-class wants three counts D,C,E, each at most %d, not '%s'", DV_MULTIVIEW_MAX_PER_CLASS,
                        per_class);
  gint64 last = 0, start = g_get_monotonic_time ();
  if (!dv_multiview_dataset_write (&config, out, print_progress, &last, NULL, &error))
    return dv_cli_fail ("%s", error->message);
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  guint objects = (config.per_class[0] + config.per_class[1] + config.per_class[2]) * DV_N_OBJECT_CLASSES;
  printf ("Wrote %u objects (%u views rendered) to %s in %.1f s\n", objects, objects * DV_VIEW_COUNT, out, seconds);
  return 0;
}

static int
cmd_render (int argc, char **argv)
{
  char *obj = NULL, *out = NULL, *class_name = NULL;
  gint64 seed = 1, index = 0;
  int size = DV_VIEW_SIZE;
  GOptionEntry entries[] = {
    { "obj", 0, 0, G_OPTION_ARG_FILENAME, &obj, "Wavefront OBJ file to render", "FILE.obj" },
    { "class", 'c', 0, G_OPTION_ARG_STRING, &class_name, "Render a generated object of this class instead", "NAME" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Dataset seed of the generated object (1)", "N" },
    { "index", 'i', 0, G_OPTION_ARG_INT64, &index, "Index of the generated object in split d (0)", "I" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output PNG: the views side by side", "STRIP.png" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Side of each view in pixels (64)", "PX" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- render an object from the 4 views");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *obj_owned = obj, *out_owned = out, *class_owned = class_name;
  if (!out || (!obj) == (!class_name))
    return dv_cli_fail ("views render needs --out and one of --obj or --class");
  if (size < 8 || size > 1024)
    return dv_cli_fail ("--size must be between 8 and 1024");
  DvMesh mesh;
  dv_mesh_init (&mesh);
  if (obj)
    {
      if (!dv_obj_load (obj, &mesh, &error))
        return dv_cli_fail ("%s", error->message);
    }
  else
    {
      int k = dv_object_class_index (class_name);
      if (k < 0)
        return dv_cli_fail ("unknown class '%s'", class_name);
      if (seed < 0 || index < 0 || index >= DV_MULTIVIEW_MAX_PER_CLASS)
        return dv_cli_fail ("--seed and --index must be positive, --index below %d", DV_MULTIVIEW_MAX_PER_CLASS);
      int given;
      dv_multiview_object ((guint64) seed, DV_SPLIT_D, k, (guint) index, &mesh, &given);
    }
  DvRasterizerConfig options;
  dv_rasterizer_config_init (&options);
  options.width = options.height = size;
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (&options);
  gsize view_bytes = 3 * (gsize) size * size;
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * view_bytes);
  g_autofree guint8 *strip = g_new (guint8, DV_VIEW_COUNT * view_bytes);
  dv_rasterizer_render_views (rasterizer, &mesh, views);
  dv_views_to_strip (views, DV_VIEW_COUNT, size, size, strip);
  guint n_triangles = mesh.n_triangles;
  dv_mesh_clear (&mesh);
  if (!dv_png_write_rgb8 (out, strip, DV_VIEW_COUNT * size, size, &error))
    return dv_cli_fail ("%s", error->message);
  printf ("Rendered %u triangles into %s (%d×%d: front, right, back, left)\n", n_triangles, out, DV_VIEW_COUNT * size,
          size);
  return 0;
}

static int
cmd_sheet (int argc, char **argv)
{
  char *out = NULL, *class_name = NULL;
  gint64 seed = 1;
  int objects = 8, size = DV_VIEW_SIZE, columns = 0;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output PNG", "SHEET.png" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Dataset seed (1): the sheet shows split d's first objects", "N" },
    { "objects", 'n', 0, G_OPTION_ARG_INT, &objects, "Objects per class (8)", "N" },
    { "class", 'c', 0, G_OPTION_ARG_STRING, &class_name, "Only this class", "NAME" },
    { "columns", 0, 0, G_OPTION_ARG_INT, &columns, "Objects per row (all of a class on one row)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Side of each view in pixels (64)", "PX" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- a contact sheet of every class");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return dv_cli_fail ("%s", error->message);
  g_autofree char *out_owned = out, *class_owned = class_name;
  if (!out)
    return dv_cli_fail ("views sheet needs --out SHEET.png");
  if (objects < 1 || objects > 64 || seed < 0 || size < 16 || size > 512 || columns < 0)
    return dv_cli_fail ("--objects must be between 1 and 64, --size between 16 and 512, --seed not negative");
  int first_class = 0, n_classes = DV_N_OBJECT_CLASSES;
  if (class_name)
    {
      first_class = dv_object_class_index (class_name);
      if (first_class < 0)
        return dv_cli_fail ("unknown class '%s'", class_name);
      n_classes = 1;
    }
  if (columns == 0 || columns > objects)
    columns = objects;
  int rows_per_class = (objects + columns - 1) / columns;

  const int S = size, label_w = 104, gap = 6, row_gap = 4;
  const int strip_w = DV_VIEW_COUNT * S;
  int width = label_w + columns * (strip_w + gap);
  int height = n_classes * rows_per_class * (S + row_gap) + row_gap;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_surface_flush (surface);
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  DvRasterizerConfig options;
  dv_rasterizer_config_init (&options);
  options.width = options.height = S;
  g_autoptr (DvRasterizer) rasterizer = dv_rasterizer_new (&options);
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * 3 * (gsize) S * S);
  DvMesh mesh;
  dv_mesh_init (&mesh);
  for (int c = 0; c < n_classes; c++)
    for (int i = 0; i < objects; i++)
      {
        int given;
        dv_multiview_object ((guint64) seed, DV_SPLIT_D, first_class + c, (guint) i, &mesh, &given);
        dv_rasterizer_render_views (rasterizer, &mesh, views);
        int row = c * rows_per_class + i / columns;
        int x0 = label_w + (i % columns) * (strip_w + gap), y0 = row_gap + row * (S + row_gap);
        for (int v = 0; v < DV_VIEW_COUNT; v++)
          for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
              {
                const guint8 *p = views + 3 * (((gsize) v * S + y) * S + x);
                guint32 *dst = (guint32 *) (data + (gsize) (y0 + y) * stride) + x0 + v * S + x;
                *dst = 0xff000000u | (guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2];
              }
      }
  dv_mesh_clear (&mesh);
  cairo_surface_mark_dirty (surface);

  /* Class names on the left; faint lines between objects. */
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 13);
  cairo_set_source_rgb (cr, 0.15, 0.15, 0.2);
  for (int c = 0; c < n_classes; c++)
    {
      cairo_move_to (cr, 6, row_gap + c * rows_per_class * (S + row_gap) + 0.5 * S + 5);
      cairo_show_text (cr, dv_object_class_name (first_class + c));
    }
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.85);
  cairo_set_line_width (cr, 1);
  for (int i = 0; i <= columns; i++)
    {
      double x = label_w + i * (strip_w + gap) - 0.5 * gap;
      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x, height);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  g_autofree guint8 *rgb = g_new (guint8, 3 * (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 px = ((guint32 *) (data + (gsize) y * stride))[x];
        guint8 *o = rgb + 3 * ((gsize) y * width + x);
        o[0] = (guint8) (px >> 16), o[1] = (guint8) (px >> 8), o[2] = (guint8) px;
      }
  cairo_surface_destroy (surface);
  if (!dv_png_write_rgb8 (out, rgb, width, height, &error))
    return dv_cli_fail ("%s", error->message);
  printf ("Wrote %s: %d objects per class × %d views (%d×%d)\n", out, objects, DV_VIEW_COUNT, width, height);
  return 0;
}

int
dv_cmd_views (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (views_usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (strcmp (argv[1], "dataset") == 0)
    return cmd_dataset (argc - 1, argv + 1);
  if (strcmp (argv[1], "render") == 0)
    return cmd_render (argc - 1, argv + 1);
  if (strcmp (argv[1], "sheet") == 0)
    return cmd_sheet (argc - 1, argv + 1);
  if (strcmp (argv[1], "train-ae") == 0)
    return dv_cmd_views_train_ae (argc - 1, argv + 1);
  if (strcmp (argv[1], "reconstruct") == 0)
    return dv_cmd_views_reconstruct (argc - 1, argv + 1);
  if (strcmp (argv[1], "encode") == 0)
    return dv_cmd_views_encode (argc - 1, argv + 1);
  if (strcmp (argv[1], "decode") == 0)
    return dv_cmd_views_decode (argc - 1, argv + 1);
  if (strcmp (argv[1], "eval-ae") == 0)
    return dv_cmd_views_eval_ae (argc - 1, argv + 1);
  if (strcmp (argv[1], "export-ae") == 0)
    return dv_cmd_views_export_ae (argc - 1, argv + 1);
  if (strcmp (argv[1], "bench-conv") == 0)
    return dv_cmd_views_bench_conv (argc - 1, argv + 1);
  if (strcmp (argv[1], "train-score") == 0)
    return dv_cmd_views_train_score (argc - 1, argv + 1);
  if (strcmp (argv[1], "generate") == 0)
    return dv_cmd_views_generate (argc - 1, argv + 1);
  if (strcmp (argv[1], "eval") == 0)
    return dv_cmd_views_eval (argc - 1, argv + 1);
  if (strcmp (argv[1], "bench-score") == 0)
    return dv_cmd_views_bench_score (argc - 1, argv + 1);
  if (strcmp (argv[1], "latent-map") == 0)
    return dv_cmd_views_latent_map (argc - 1, argv + 1);
  fprintf (stderr, "dimvida views: unknown command '%s'\n\n%s", argv[1], views_usage);
  return 2;
}
