/* Multi-view objects: meshes, the rasteriser, the 13 class generators, OBJ import and the dataset writer. */
#include "views/multiview.h"
#include "views/obj.h"
#include "views/objects/registry.h"
#include "io/png.h"
#include "views/rasterizer.h"
#include "core/rng.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define VIEW_BYTES (3 * DV_VIEW_SIZE * DV_VIEW_SIZE)

static gboolean
is_white (const guint8 *p)
{
  return p[0] == 255 && p[1] == 255 && p[2] == 255;
}

static void
make_object (int class_index, guint64 seed, DvMesh *mesh)
{
  DvRng rng;
  dv_rng_init (&rng, seed);
  dv_mesh_reset (mesh);
  dv_object_generate (class_index, &rng, mesh);
}

static void
render_views (const DvMesh *mesh, guint8 *views)
{
  g_autoptr (DvRasterizer) r = dv_rasterizer_new (NULL);
  dv_rasterizer_render_views (r, mesh, views);
}

/* ---- meshes and primitives ---- */

static void
test_primitives_valid (void)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  DvXform xf = dv_xform_place (0.1f, 0.2f, 0.3f, 1.0f, 2.0f, 0.5f, 0.3f, 0.7f, -0.2f);
  const guint8 red[3] = { 200, 30, 30 };
  float square[8] = { -0.5f, -0.5f, 0.5f, -0.5f, 0.5f, 0.5f, -0.5f, 0.5f };
  for (int prim = 0; prim < 8; prim++)
    {
      dv_mesh_reset (&mesh);
      switch (prim)
        {
        case 0: dv_mesh_add_box (&mesh, &xf, red); break;
        case 1: dv_mesh_add_cylinder (&mesh, &xf, 12, red); break;
        case 2: dv_mesh_add_cone (&mesh, &xf, 12, red); break;
        case 3: dv_mesh_add_ellipsoid (&mesh, &xf, 6, 10, red); break;
        case 4: dv_mesh_add_torus (&mesh, &xf, 0.3f, 2.0f * (float) G_PI, 12, 8, red); break;
        case 5: dv_mesh_add_wedge (&mesh, &xf, red); break;
        case 6: dv_mesh_add_prism (&mesh, &xf, 4, square, red); break;
        default:
          {
            float a[3] = { 0, 0, 0 }, b[3] = { 0.3f, 1.0f, -0.2f };
            dv_mesh_add_tube (&mesh, a, b, 0.05f, 8, red);
          }
        }
      g_autoptr (GError) error = NULL;
      if (!dv_mesh_validate (&mesh, &error))
        g_error ("primitive %d: %s", prim, error->message);
      g_assert_cmpuint (mesh.n_triangles, >=, 4);
    }
  /* A unit box has the volume's corners at ±0.5: bounds follow the transform. */
  dv_mesh_reset (&mesh);
  DvXform s = dv_xform_place (1, 2, 3, 2, 4, 6, 0, 0, 0);
  dv_mesh_add_box (&mesh, &s, red);
  float lo[3], hi[3];
  g_assert_true (dv_mesh_bounds (&mesh, lo, hi));
  g_assert_cmpfloat_with_epsilon (lo[0], 0.0f, 1e-6f);
  g_assert_cmpfloat_with_epsilon (hi[1], 4.0f, 1e-6f);
  g_assert_cmpfloat_with_epsilon (hi[2], 6.0f, 1e-6f);
  /* A box's normals point away from its centre. */
  for (guint v = 0; v < mesh.n_vertices; v++)
    {
      const float *p = mesh.positions + 3 * v, *n = mesh.normals + 3 * v;
      float d = (p[0] - 1) * n[0] + (p[1] - 2) * n[1] + (p[2] - 3) * n[2];
      g_assert_cmpfloat (d, >, 0.0f);
    }
  /* Degenerate and non-finite meshes are caught. */
  g_autoptr (GError) error = NULL;
  float nan_point[3] = { NAN, 0, 0 }, up[3] = { 0, 1, 0 };
  dv_mesh_add_vertex (&mesh, nan_point, up);
  g_assert_false (dv_mesh_validate (&mesh, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  dv_mesh_reset (&mesh);
  float p0[3] = { 0, 0, 0 }, p1[3] = { 1, 0, 0 }, p2[3] = { 2, 0, 0 };
  dv_mesh_add_triangle (&mesh, dv_mesh_add_vertex (&mesh, p0, up), dv_mesh_add_vertex (&mesh, p1, up),
                        dv_mesh_add_vertex (&mesh, p2, up), red);
  g_assert_false (dv_mesh_validate (&mesh, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  dv_mesh_clear (&mesh);
}

/* ---- generators ---- */

static void
test_class_names (void)
{
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    {
      g_assert_cmpint (dv_object_class_index (dv_object_class_name (k)), ==, k);
      if (k > 0)
        g_assert_cmpint (strcmp (dv_object_class_name (k - 1), dv_object_class_name (k)), <, 0);
    }
  g_assert_cmpint (dv_object_class_index ("giraffe"), ==, -1);
  g_assert_cmpstr (dv_object_class_name (2), ==, "cabinet");
}

static void
test_generators_valid (void)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  int seeds = g_test_slow () ? 2000 : 300;
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    {
      /* Proportions: bounding-box volume over the cube of its longest side. */
      float min_shape = G_MAXFLOAT, max_shape = 0.0f;
      for (int s = 0; s < seeds; s++)
        {
          make_object (k, (guint64) s, &mesh);
          g_autoptr (GError) error = NULL;
          if (!dv_mesh_validate (&mesh, &error))
            g_error ("%s seed %d: %s", dv_object_class_name (k), s, error->message);
          g_assert_cmpuint (mesh.n_triangles, >=, 12);
          g_assert_cmpuint (mesh.n_triangles, <=, 20000);
          float lo[3], hi[3];
          dv_mesh_bounds (&mesh, lo, hi);
          float longest = 0.0f, volume = 1.0f;
          for (int a = 0; a < 3; a++)
            {
              g_assert_cmpfloat (lo[a], >, -3.0f);
              g_assert_cmpfloat (hi[a], <, 3.0f);
              longest = MAX (longest, hi[a] - lo[a]);
              volume *= hi[a] - lo[a];
            }
          g_assert_cmpfloat (longest, >, 0.05f);
          float shape = volume / (longest * longest * longest);
          g_assert_cmpfloat (shape, >, 0.0f);
          min_shape = MIN (min_shape, shape);
          max_shape = MAX (max_shape, shape);
        }
      /* Proportions vary within a class. */
      if (!(max_shape > 1.5f * min_shape))
        g_error ("%s: proportions hardly vary (%g .. %g)", dv_object_class_name (k), min_shape, max_shape);
    }
  dv_mesh_clear (&mesh);
}

/* Pixels (of all four views) whose colour differs by more than a rounding. */
static int
count_changed_pixels (const guint8 *a, const guint8 *b)
{
  int changed = 0;
  for (int i = 0; i < DV_VIEW_COUNT * DV_VIEW_SIZE * DV_VIEW_SIZE; i++)
    {
      int d = 0;
      for (int c = 0; c < 3; c++)
        d = MAX (d, abs (a[3 * i + c] - b[3 * i + c]));
      changed += d > 8;
    }
  return changed;
}

/* Another seed must change what the views show, not a pixel or two: at
 * least 2 % of the pixels of the four views (the fewest measured: 517 of 16,384, a rifle). */
#define VARY_MIN_FRACTION 0.02

static void
test_generators_vary (void)
{
  /* Within a class, different seeds give different renders (shape or colour). */
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autofree guint8 *a = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES), *b = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    {
      int distinct = 0, fewest = G_MAXINT;
      make_object (k, 100, &mesh);
      render_views (&mesh, a);
      for (int s = 101; s < 106; s++)
        {
          make_object (k, (guint64) s, &mesh);
          render_views (&mesh, b);
          const int changed = count_changed_pixels (a, b);
          fewest = MIN (fewest, changed);
          distinct += changed >= VARY_MIN_FRACTION * DV_VIEW_COUNT * DV_VIEW_SIZE * DV_VIEW_SIZE;
        }
      g_test_message ("%s: seeds 101-105 change at least %d pixels of seed 100's views", dv_object_class_name (k),
                      fewest);
      g_assert_cmpint (distinct, ==, 5);
    }
  dv_mesh_clear (&mesh);
}

/* ---- rendering ---- */

static void
test_render_deterministic (void)
{
  DvMesh m1, m2;
  dv_mesh_init (&m1);
  dv_mesh_init (&m2);
  g_autofree guint8 *a = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES), *b = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    {
      int view1, view2;
      dv_multiview_object (42, DV_SPLIT_C, k, 7, &m1, &view1);
      dv_multiview_object (42, DV_SPLIT_C, k, 7, &m2, &view2);
      g_assert_cmpint (view1, ==, view2);
      g_assert_cmpint (view1, <, DV_VIEW_COUNT);
      g_assert_cmpuint (m1.n_vertices, ==, m2.n_vertices);
      g_assert_cmpuint (m1.n_triangles, ==, m2.n_triangles);
      g_assert_cmpmem (m1.positions, 12 * m1.n_vertices, m2.positions, 12 * m2.n_vertices);
      g_assert_cmpmem (m1.colors, 3 * m1.n_triangles, m2.colors, 3 * m2.n_triangles);
      render_views (&m1, a);
      render_views (&m2, b);
      g_assert_cmpmem (a, DV_VIEW_COUNT * VIEW_BYTES, b, DV_VIEW_COUNT * VIEW_BYTES);
      /* Another seed or another split gives another object. */
      dv_multiview_object (43, DV_SPLIT_C, k, 7, &m2, &view2);
      render_views (&m2, b);
      g_assert_true (memcmp (a, b, DV_VIEW_COUNT * VIEW_BYTES) != 0);
      dv_multiview_object (42, DV_SPLIT_E, k, 7, &m2, &view2);
      render_views (&m2, b);
      g_assert_true (memcmp (a, b, DV_VIEW_COUNT * VIEW_BYTES) != 0);
    }
  dv_mesh_clear (&m1);
  dv_mesh_clear (&m2);
}

static int
count_differing_pixels (const guint8 *a, const guint8 *b, int n_pixels)
{
  int n = 0;
  for (int i = 0; i < n_pixels; i++)
    n += memcmp (a + 3 * i, b + 3 * i, 3) != 0;
  return n;
}

static void
test_views_differ (void)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  const int n_pixels = DV_VIEW_SIZE * DV_VIEW_SIZE;
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    for (int s = 0; s < 5; s++)
      {
        make_object (k, (guint64) s, &mesh);
        render_views (&mesh, views);
        for (int v = 0; v < DV_VIEW_COUNT; v++)
          for (int w = v + 1; w < DV_VIEW_COUNT; w++)
            {
              int d = count_differing_pixels (views + v * VIEW_BYTES, views + w * VIEW_BYTES, n_pixels);
              if (d < 20)
                g_error ("%s seed %d: views %s and %s differ in only %d pixels", dv_object_class_name (k), s,
                         dv_view_name (v), dv_view_name (w), d);
            }
      }
  dv_mesh_clear (&mesh);
}

static void
test_objects_in_frame (void)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  const int S = DV_VIEW_SIZE;
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    for (int s = 0; s < 40; s++)
      {
        make_object (k, (guint64) s, &mesh);
        render_views (&mesh, views);
        for (int v = 0; v < DV_VIEW_COUNT; v++)
          {
            const guint8 *img = views + v * VIEW_BYTES;
            int object_pixels = 0;
            for (int y = 0; y < S; y++)
              for (int x = 0; x < S; x++)
                {
                  gboolean border = x == 0 || y == 0 || x == S - 1 || y == S - 1;
                  gboolean white = is_white (img + 3 * (y * S + x));
                  if (border && !white)
                    g_error ("%s seed %d view %s touches the border at (%d, %d)", dv_object_class_name (k), s,
                             dv_view_name (v), x, y);
                  object_pixels += !white;
                }
            /* Something is visible (thin rifles seen end-on are the smallest). */
            g_assert_cmpint (object_pixels, >, 15);
          }
      }
  dv_mesh_clear (&mesh);
}

/* Silhouette of `img` mirrored left-right against `other`: pixels that disagree. */
static int
mirror_mismatch (const guint8 *img, const guint8 *other, int *silhouette)
{
  const int S = DV_VIEW_SIZE;
  int mismatch = 0;
  *silhouette = 0;
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++)
      {
        gboolean a = !is_white (img + 3 * (y * S + x)), b = !is_white (other + 3 * (y * S + (S - 1 - x)));
        mismatch += a != b;
        *silhouette += a;
      }
  return mismatch;
}

static void
test_symmetric_mirrored (void)
{
  /* A shape symmetric under x -> -x (but not front-to-back): the right view is the left view mirrored. */
  DvMesh mesh;
  dv_mesh_init (&mesh);
  const guint8 grey[3] = { 150, 150, 160 };
  DvXform body = dv_xform_place (0, 0.5f, 0, 1.0f, 0.4f, 2.0f, 0, 0, 0);
  DvXform nose = dv_xform_place (0, 0.9f, 0.7f, 0.5f, 0.6f, 0.5f, 0, 0, 0);
  DvXform fin = dv_xform_place (0, 1.0f, -0.8f, 0.1f, 0.8f, 0.3f, 0, 0, 0);
  dv_mesh_add_box (&mesh, &body, grey);
  dv_mesh_add_ellipsoid (&mesh, &nose, 8, 16, grey);
  dv_mesh_add_box (&mesh, &fin, grey);
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  render_views (&mesh, views);
  int silhouette;
  int mismatch = mirror_mismatch (views + DV_VIEW_RIGHT * VIEW_BYTES, views + DV_VIEW_LEFT * VIEW_BYTES, &silhouette);
  g_assert_cmpint (silhouette, >, 300);
  g_assert_cmpint (mismatch, <=, silhouette / 50);
  /* Generated tables are symmetric too. */
  for (int s = 0; s < 10; s++)
    {
      make_object (dv_object_class_index ("table"), (guint64) s, &mesh);
      render_views (&mesh, views);
      mismatch = mirror_mismatch (views + DV_VIEW_RIGHT * VIEW_BYTES, views + DV_VIEW_LEFT * VIEW_BYTES, &silhouette);
      if (mismatch > silhouette / 50 + 2)
        g_error ("table seed %d: %d of %d silhouette pixels differ", s, mismatch, silhouette);
    }
  /* An asymmetric shape is not: the check can fail. */
  dv_mesh_reset (&mesh);
  DvXform off = dv_xform_place (0.8f, 1.2f, 0.3f, 0.5f, 1.0f, 0.5f, 0, 0, 0);
  dv_mesh_add_box (&mesh, &body, grey);
  dv_mesh_add_box (&mesh, &off, grey);
  render_views (&mesh, views);
  mismatch = mirror_mismatch (views + DV_VIEW_RIGHT * VIEW_BYTES, views + DV_VIEW_LEFT * VIEW_BYTES, &silhouette);
  g_assert_cmpint (mismatch, >, silhouette / 10);
  dv_mesh_clear (&mesh);
}

static void
test_render_sizes (void)
{
  /* Any size and supersampling: the object covers the same fraction of the frame. */
  DvMesh mesh;
  dv_mesh_init (&mesh);
  make_object (dv_object_class_index ("cabinet"), 3, &mesh);
  double fraction[2];
  int sizes[2] = { 64, 200 };
  for (int i = 0; i < 2; i++)
    {
      DvRasterizerConfig o;
      dv_rasterizer_config_init (&o);
      o.width = o.height = sizes[i];
      o.supersample = i ? 2 : 4;
      g_autoptr (DvRasterizer) r = dv_rasterizer_new (&o);
      g_autofree guint8 *img = g_new (guint8, 3 * (gsize) sizes[i] * sizes[i]);
      dv_rasterizer_render (r, &mesh, 30.0f, img);
      int covered = 0;
      for (int p = 0; p < sizes[i] * sizes[i]; p++)
        covered += !is_white (img + 3 * p);
      fraction[i] = (double) covered / (sizes[i] * sizes[i]);
    }
  g_assert_cmpfloat (fraction[0], >, 0.05);
  g_assert_cmpfloat (fabs (fraction[0] - fraction[1]), <, 0.03);
  /* An empty mesh renders as white. */
  DvMesh empty;
  dv_mesh_init (&empty);
  g_autofree guint8 *img = g_new (guint8, VIEW_BYTES);
  g_autoptr (DvRasterizer) r = dv_rasterizer_new (NULL);
  dv_rasterizer_render (r, &empty, 0.0f, img);
  for (int p = 0; p < DV_VIEW_SIZE * DV_VIEW_SIZE; p++)
    g_assert_true (is_white (img + 3 * p));
  dv_mesh_clear (&mesh);
}

/* ---- OBJ import ---- */

static const char cube_obj[] =
  "# a unit cube with texture coordinates and normals\n"
  "mtllib cube.mtl\n"
  "o Cube\n"
  "v -1 -1 -1\nv 1 -1 -1\nv 1 1 -1\nv -1 1 -1\n"
  "v -1 -1 1\nv 1 -1 1\nv 1 1 1\nv -1 1 1 0.5 0.5 0.5\n"
  "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
  "vn 0 0 -1\nvn 0 0 1\nvn 0 -1 0\nvn 0 1 0\nvn -1 0 0\nvn 1 0 0\n"
  "usemtl Red\n"
  "s off\n"
  "f 1/1/1 4/4/1 3/3/1 2/2/1\n"
  "f 5/1/2 6/2/2 7/3/2 8/4/2\r\n"
  "f 1//3 2//3 6//3 5//3\n"
  "f 4/1 8/2 7/3 3/4\n"   /* no normals: flat */
  "f -8 -4 -1 -5\n"       /* negative indices: 1 5 8 4 */
  "g side\n"
  "f 2 3 7 6\n"
  "l 1 2\n";

static void
test_obj_cube (void)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_obj_parse (cube_obj, strlen (cube_obj), "cube.obj", &mesh, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mesh.n_triangles, ==, 12);
  g_assert_true (dv_mesh_validate (&mesh, &error));
  float lo[3], hi[3];
  dv_mesh_bounds (&mesh, lo, hi);
  for (int a = 0; a < 3; a++)
    {
      g_assert_cmpfloat (lo[a], ==, -1.0f);
      g_assert_cmpfloat (hi[a], ==, 1.0f);
    }
  /* The given normal is used where present: the first face's is (0, 0, -1). */
  g_assert_cmpfloat (mesh.normals[2], ==, -1.0f);
  g_autofree guint8 *views = g_new (guint8, DV_VIEW_COUNT * VIEW_BYTES);
  render_views (&mesh, views);
  int covered = 0;
  for (int p = 0; p < DV_VIEW_SIZE * DV_VIEW_SIZE; p++)
    covered += !is_white (views + 3 * p);
  g_assert_cmpint (covered, >, 400);

  /* From a file too. */
  g_autofree char *dir = g_dir_make_tmp ("test-views-obj-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cube.obj", NULL);
  g_assert_true (g_file_set_contents (path, cube_obj, -1, NULL));
  g_assert_true (dv_obj_load (path, &mesh, &error));
  g_assert_cmpuint (mesh.n_triangles, ==, 12);
  g_autofree char *missing = g_build_filename (dir, "missing.obj", NULL);
  g_assert_false (dv_obj_load (missing, &mesh, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  dv_test_remove_tree (dir);
  dv_mesh_clear (&mesh);
}

static void
expect_obj_error (const char *text, gsize len, int code, const char *needle)
{
  DvMesh mesh;
  dv_mesh_init (&mesh);
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_obj_parse (text, len, "bad.obj", &mesh, &error));
  g_assert_error (error, DV_ERROR, code);
  if (!strstr (error->message, needle))
    g_error ("error '%s' does not mention '%s'", error->message, needle);
  g_assert_cmpuint (mesh.n_triangles, ==, 0);
  dv_mesh_clear (&mesh);
}

#define TRI "v 0 0 0\nv 1 0 0\nv 0 1 0\n"

static void
test_obj_bad_input (void)
{
  static const struct {
    const char *text;
    int code;
    const char *needle;  /* the line number and what went wrong */
  } cases[] = {
    { TRI "v 1 2 abc\nf 1 2 3\n", DV_ERROR_FORMAT, "bad.obj:4: bad number 'abc'" },
    { TRI "v 1 nan 0\n", DV_ERROR_FORMAT, ":4: bad number 'nan'" },
    { TRI "v 1 1e999 0\n", DV_ERROR_FORMAT, ":4: bad number" },
    { TRI "v 1 2\n", DV_ERROR_FORMAT, ":4: vertex needs 3 coordinates" },
    { TRI "f 1 2 9\n", DV_ERROR_FORMAT, ":4: vertex index 9 out of range" },
    { TRI "f 1 2 -4\n", DV_ERROR_FORMAT, ":4: vertex index -4 out of range" },
    { TRI "f 0 1 2\n", DV_ERROR_FORMAT, ":4: vertex index 0 out of range" },
    { TRI "f 1 2\n", DV_ERROR_FORMAT, ":4: face has 2 vertices, needs at least 3" },
    { TRI "\n\nf 1/1 2/1 3/1\n", DV_ERROR_FORMAT, ":6: texture coordinate index 1 out of range" },
    { TRI "vn 0 0 1\nf 1//1 2//2 3//1\n", DV_ERROR_FORMAT, ":5: normal index 2 out of range" },
    { TRI "f 1/ 2 3\nf 1// 2 3\n", DV_ERROR_FORMAT, ":5: face vertex ends with '/'" },
    { TRI "f 1/x 2 3\n", DV_ERROR_FORMAT, ":4: bad texture coordinate index 'x'" },
    { TRI "f 1/1/1/1 2 3\n", DV_ERROR_FORMAT, ":4: bad face vertex" },
    { TRI "f a b c\n", DV_ERROR_FORMAT, ":4: bad vertex index 'a'" },
    { TRI "vn 0 1\n", DV_ERROR_FORMAT, ":4: normal needs 3 coordinates" },
    { TRI "f 1 2 99999999999999999999999\n", DV_ERROR_FORMAT, ":4: bad vertex index" },
    { "# nothing but comments\no empty\n", DV_ERROR_FORMAT, "no faces" },
    { "v 0 0 0\nv 1 1 1\nv 2 2 2\nf 1 2 3\n", DV_ERROR_FORMAT, "no faces with any area" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    expect_obj_error (cases[i].text, strlen (cases[i].text), cases[i].code, cases[i].needle);

  /* A NUL byte: binary data, not text. */
  static const char binary[] = TRI "f 1 2\0 3\n";
  expect_obj_error (binary, sizeof binary - 1, DV_ERROR_FORMAT, ":4: contains a NUL byte");

  /* A face with more corners than a line may hold. */
  GString *big_face = g_string_new (TRI "f");
  for (int i = 0; i < 5000; i++)
    g_string_append (big_face, " 1");
  expect_obj_error (big_face->str, big_face->len, DV_ERROR_TOO_LARGE, ":4: line has more than");
  g_string_free (big_face, TRUE);
}

static void
test_obj_too_large (void)
{
  /* One vertex over the limit is refused, naming the line. */
  gsize n = DV_OBJ_MAX_VERTICES + 1;
  const char line[] = "v 0 0 0\n";
  gsize len = n * (sizeof line - 1);
  char *text = g_malloc (len);
  for (gsize i = 0; i < n; i++)
    memcpy (text + i * (sizeof line - 1), line, sizeof line - 1);
  g_autofree char *needle = g_strdup_printf (":%d: more than %d vertices", DV_OBJ_MAX_VERTICES + 1,
    DV_OBJ_MAX_VERTICES);
  expect_obj_error (text, len, DV_ERROR_TOO_LARGE, needle);
  g_free (text);

  /* Likewise faces: refused before any triangle is built. */
  const char face[] = "f 1 2 3\n";
  len = (sizeof TRI - 1) + (gsize) (DV_OBJ_MAX_FACES + 1) * (sizeof face - 1);
  text = g_malloc (len);
  memcpy (text, TRI, sizeof TRI - 1);
  for (gsize i = 0; i <= DV_OBJ_MAX_FACES; i++)
    memcpy (text + (sizeof TRI - 1) + i * (sizeof face - 1), face, sizeof face - 1);
  g_autofree char *face_needle = g_strdup_printf (":%d: more than %d faces", DV_OBJ_MAX_FACES + 4, DV_OBJ_MAX_FACES);
  expect_obj_error (text, len, DV_ERROR_TOO_LARGE, face_needle);
  g_free (text);
}

/* ---- the dataset ---- */

static void
count_progress (const DvProgress *progress, gpointer user_data)
{
  gint64 *last = user_data;
  g_assert_cmpint (progress->done, >, *last);
  g_assert_cmpint (progress->done, <=, progress->total);
  *last = progress->done;
}

static char *
write_tiny_dataset (int threads, guint64 seed, gint64 *progress_done)
{
  g_autofree char *dir = g_dir_make_tmp ("test-views-data-XXXXXX", NULL);
  char *out = g_build_filename (dir, "set", NULL);
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.seed = seed;
  config.per_class[DV_SPLIT_D] = 3;
  config.per_class[DV_SPLIT_C] = 2;
  config.per_class[DV_SPLIT_E] = 1;
  config.n_threads = threads;
  g_autoptr (GError) error = NULL;
  *progress_done = 0;
  g_assert_true (dv_multiview_dataset_write (&config, out, count_progress, progress_done, NULL, &error));
  g_assert_no_error (error);
  return out;
}

static void
assert_same_file (const char *dir_a, const char *dir_b, const char *name)
{
  g_autofree char *pa = g_build_filename (dir_a, name, NULL), *pb = g_build_filename (dir_b, name, NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;
  g_assert_true (g_file_get_contents (pa, &a, &la, NULL));
  g_assert_true (g_file_get_contents (pb, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
}

static void
test_dataset_writer (void)
{
  gint64 done1, done2;
  g_autofree char *out = write_tiny_dataset (2, 5, &done1);
  g_assert_cmpint (done1, ==, 6 * DV_N_OBJECT_CLASSES);

  /* index.csv: a header and one row per PNG (d: 4 views, c and e: one). */
  g_autofree char *csv_path = g_build_filename (out, "index.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "split,object_id,class,view,path");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + DV_N_OBJECT_CLASSES * (3 * 4 + 2 + 1) + 1);
  g_assert_cmpstr (lines[1], ==, "d,airplane-d-00000,airplane,front,d/airplane/00000-front.png");

  /* The caches load, hold every view, and agree with the PNG files. */
  for (int s = 0; s < DV_N_SPLITS; s++)
    {
      g_autofree char *name = g_strdup_printf ("%s.dvmv", dv_multiview_split_name (s));
      g_autofree char *path = g_build_filename (out, name, NULL);
      DvMultiviewSet set;
      g_autoptr (GError) error = NULL;
      g_assert_true (dv_multiview_set_load (path, &set, &error));
      g_assert_no_error (error);
      guint per_class = s == DV_SPLIT_D ? 3 : s == DV_SPLIT_C ? 2 : 1;
      g_assert_cmpuint (set.n_objects, ==, per_class * DV_N_OBJECT_CLASSES);
      g_assert_cmpint (set.split, ==, s);
      g_assert_cmpuint (set.seed, ==, 5);
      g_assert_cmpint (set.n_views, ==, 4);
      g_assert_cmpint (set.width, ==, 64);
      for (guint i = 0; i < set.n_objects; i++)
        {
          g_assert_cmpuint (set.labels[i], ==, i / per_class);
          g_assert_cmpuint (set.object_indices[i], ==, i % per_class);
          if (s == DV_SPLIT_D)
            g_assert_cmpuint (set.given_views[i], ==, DV_MULTIVIEW_ALL_VIEWS);
          else
            g_assert_cmpuint (set.given_views[i], <, 4);
        }
      /* Check one object per split against its PNG file. */
      guint obj = set.n_objects - 1;
      int view = s == DV_SPLIT_D ? DV_VIEW_BACK : set.given_views[obj];
      g_autofree char *png = g_strdup_printf ("%s/%s/%s/%05u-%s.png", out, dv_multiview_split_name (s),
                                              dv_object_class_name (set.labels[obj]), set.object_indices[obj],
                                              dv_view_name (view));
      DvImage img;
      g_assert_true (dv_png_read (png, &img, &error));
      g_assert_no_error (error);
      g_assert_cmpint (img.width, ==, 64);
      const guint8 *px = dv_multiview_set_view (&set, obj, view);
      for (int p = 0; p < 3 * 64 * 64; p++)
        g_assert_cmpint ((int) lroundf (img.rgb[p] * 255.0f), ==, px[p]);
      dv_image_clear (&img);
      /* c and e have only the given view as a PNG file. */
      if (s != DV_SPLIT_D)
        {
          int other = (view + 1) % DV_VIEW_COUNT;
          g_autofree char *absent = g_strdup_printf ("%s/%s/%s/%05u-%s.png", out, dv_multiview_split_name (s),
                                                     dv_object_class_name (set.labels[obj]),
                                                     set.object_indices[obj], dv_view_name (other));
          g_assert_false (g_file_test (absent, G_FILE_TEST_EXISTS));
        }
      dv_multiview_set_clear (&set);
    }

  /* Same seed, one thread: the same bytes. Another seed: other pixels. */
  g_autofree char *again = write_tiny_dataset (1, 5, &done2);
  assert_same_file (out, again, "d.dvmv");
  assert_same_file (out, again, "c.dvmv");
  assert_same_file (out, again, "e.dvmv");
  assert_same_file (out, again, "index.csv");
  assert_same_file (out, again, "d/chair/00002-left.png");
  g_autofree char *other = write_tiny_dataset (2, 6, &done2);
  {
    g_autofree char *pa = g_build_filename (out, "d.dvmv", NULL), *pb = g_build_filename (other, "d.dvmv", NULL);
    g_autofree char *a = NULL, *b = NULL;
    gsize la, lb;
    g_assert_true (g_file_get_contents (pa, &a, &la, NULL) && g_file_get_contents (pb, &b, &lb, NULL));
    g_assert_cmpuint (la, ==, lb);
    g_assert_true (memcmp (a + DV_MULTIVIEW_HEADER_SIZE, b + DV_MULTIVIEW_HEADER_SIZE, la - DV_MULTIVIEW_HEADER_SIZE)
                   != 0);
  }
  g_autofree char *parent1 = g_path_get_dirname (out), *parent2 = g_path_get_dirname (again),
                  *parent3 = g_path_get_dirname (other);
  dv_test_remove_tree (parent1);
  dv_test_remove_tree (parent2);
  dv_test_remove_tree (parent3);
}

static void
test_dataset_cache_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-views-cache-XXXXXX", NULL);
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.per_class[DV_SPLIT_D] = 1;
  config.per_class[DV_SPLIT_C] = 1;
  config.per_class[DV_SPLIT_E] = 0;
  config.write_png = FALSE;
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_multiview_dataset_write (&config, dir, NULL, NULL, NULL, &error));
  g_autofree char *csv = g_build_filename (dir, "index.csv", NULL);
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  g_autofree char *path = g_build_filename (dir, "d.dvmv", NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  DvMultiviewSet set;
  g_autofree char *bad = g_build_filename (dir, "bad.dvmv", NULL);

  /* Truncated. */
  g_assert_true (g_file_set_contents (bad, data, (gssize) len - 1, NULL));
  g_assert_false (dv_multiview_set_load (bad, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  /* Not a cache. */
  g_assert_true (g_file_set_contents (bad, "hello", 5, NULL));
  g_assert_false (dv_multiview_set_load (bad, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  /* An implausible object count. */
  g_autofree char *copy = g_memdup2 (data, len);
  copy[16] = (char) 0xff, copy[17] = (char) 0xff, copy[18] = (char) 0xff, copy[19] = (char) 0x7f;
  g_assert_true (g_file_set_contents (bad, copy, (gssize) len, NULL));
  g_assert_false (dv_multiview_set_load (bad, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* A label out of range. */
  memcpy (copy, data, len);
  copy[DV_MULTIVIEW_HEADER_SIZE] = 13;
  g_assert_true (g_file_set_contents (bad, copy, (gssize) len, NULL));
  g_assert_false (dv_multiview_set_load (bad, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_clear_error (&error);
  /* Missing. */
  g_autofree char *missing = g_build_filename (dir, "missing.dvmv", NULL);
  g_assert_false (dv_multiview_set_load (missing, &set, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_IO);
  g_clear_error (&error);

  /* Absurd counts are refused before any work. */
  config.per_class[DV_SPLIT_D] = DV_MULTIVIEW_MAX_PER_CLASS + 1;
  g_assert_false (dv_multiview_dataset_write (&config, dir, NULL, NULL, NULL, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_TOO_LARGE);
  g_clear_error (&error);
  dv_test_remove_tree (dir);
}

static void
test_dataset_cancel (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-views-cancel-XXXXXX", NULL);
  DvMultiviewConfig config;
  dv_multiview_config_init (&config);
  config.per_class[DV_SPLIT_D] = 2;
  config.per_class[DV_SPLIT_C] = 1;
  config.per_class[DV_SPLIT_E] = 1;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_cancellable_cancel (cancellable);
  g_autoptr (GError) error = NULL;
  g_assert_false (dv_multiview_dataset_write (&config, dir, NULL, NULL, cancellable, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_CANCELLED);
  /* Nothing half-written is left behind: no cache, no temporary file, no index. */
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_assert_true (g_str_equal (name, "d") || g_str_equal (name, "c") || g_str_equal (name, "e"));
  g_dir_close (d);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/primitives-valid", test_primitives_valid);
  g_test_add_func ("/views/class-names", test_class_names);
  g_test_add_func ("/views/generators-valid", test_generators_valid);
  g_test_add_func ("/views/generators-vary", test_generators_vary);
  g_test_add_func ("/views/render-deterministic", test_render_deterministic);
  g_test_add_func ("/views/views-differ", test_views_differ);
  g_test_add_func ("/views/objects-in-frame", test_objects_in_frame);
  g_test_add_func ("/views/symmetric-mirrored", test_symmetric_mirrored);
  g_test_add_func ("/views/render-sizes", test_render_sizes);
  g_test_add_func ("/views/obj-cube", test_obj_cube);
  g_test_add_func ("/views/obj-bad-input", test_obj_bad_input);
  g_test_add_func ("/views/obj-too-large", test_obj_too_large);
  g_test_add_func ("/views/dataset-writer", test_dataset_writer);
  g_test_add_func ("/views/dataset-cache-errors", test_dataset_cache_errors);
  g_test_add_func ("/views/dataset-cancel", test_dataset_cancel);
  return g_test_run ();
}
