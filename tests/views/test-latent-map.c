/* The views' latent map: the PCA finds planted directions (orthonormal, in
 * order of variance, with their shares of it), points are the latents
 * projected, the sign does not flip; the file round-trips and bad files are
 * refused. */
#include "test-util.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "views/latent_map.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define L 6

/* n objects × 2 views of z = m + 3·a·u + 1.5·b·w + 0.1·noise, u ⟂ w unit. */
static float *
planted (size_t n, const double *u, const double *w, const double *m)
{
  DvRng rng;
  dv_rng_init (&rng, 7);
  float *z = g_new (float, n * 2 * L);
  for (size_t r = 0; r < n * 2; r++)
    {
      double a = dv_rng_normal (&rng), b = dv_rng_normal (&rng);
      for (int i = 0; i < L; i++)
        z[r * L + i] = (float) (m[i] + 3 * a * u[i] + 1.5 * b * w[i] + 0.1 * dv_rng_normal (&rng));
    }
  return z;
}

static void
test_compute (void)
{
  const double u[L] = { 0.8, -0.6, 0, 0, 0, 0 }, w[L] = { 0, 0, 0.6, 0.8, 0, 0 };
  const double m[L] = { 1, 2, 3, -1, 0, 5 };
  const size_t n = 4000;
  g_autofree float *z = planted (n, u, w, m);
  DvLatentMap map;
  dv_latent_map_init (&map);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_latent_map_compute (&map, z, n, 2, L, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpint (map.latent_dim, ==, L);
  for (int i = 0; i < L; i++)
    g_assert_cmpfloat_with_epsilon (map.mean[i], m[i], 0.15);
  /* Along u first, then w (up to sign: the largest entry is positive). */
  double dot_u = 0, dot_w = 0, cross = 0, norm0 = 0, norm1 = 0;
  for (int i = 0; i < L; i++)
    {
      dot_u += map.components[i] * u[i];
      dot_w += map.components[L + i] * w[i];
      cross += map.components[i] * map.components[L + i];
      norm0 += map.components[i] * map.components[i];
      norm1 += map.components[L + i] * map.components[L + i];
    }
  g_test_message ("|u·c0| %.5f, |w·c1| %.5f, explained %.3f, %.3f", fabs (dot_u), fabs (dot_w), map.explained[0],
                  map.explained[1]);
  g_assert_cmpfloat (fabs (dot_u), >, 0.999);
  g_assert_cmpfloat (fabs (dot_w), >, 0.999);
  g_assert_cmpfloat (fabs (cross), <, 1e-5);
  g_assert_cmpfloat_with_epsilon (norm0, 1, 1e-5);
  g_assert_cmpfloat_with_epsilon (norm1, 1, 1e-5);
  g_assert_cmpfloat (map.components[0], >, 0); /* u's largest entry: positive */
  g_assert_cmpfloat (map.components[L + 3], >, 0);
  /* Variances 9, 2.25 and 6 × 0.01 of noise: shares 9 / 11.31 and 2.25 / 11.31. */
  g_assert_cmpfloat_with_epsilon (map.explained[0], 9 / 11.31, 0.03);
  g_assert_cmpfloat_with_epsilon (map.explained[1], 2.25 / 11.31, 0.02);

  /* 100 points: both views of 50 evenly spaced objects, projected. */
  g_assert_cmpint (map.n_points, ==, 100);
  for (int p = 0; p < map.n_points; p++)
    {
      size_t object = (size_t) (p / 2) * n / 50;
      g_assert_cmpint (map.point_views[p], ==, p % 2);
      float xy[2];
      dv_latent_map_project (&map, z + (object * 2 + p % 2) * L, 1, xy);
      g_assert_cmpfloat (xy[0], ==, map.points[2 * p]);
      g_assert_cmpfloat (xy[1], ==, map.points[2 * p + 1]);
    }
  /* The mean projects to the origin; a step along c0 moves x only. */
  float xy[2], moved[L];
  dv_latent_map_project (&map, map.mean, 1, xy);
  g_assert_cmpfloat (fabs (xy[0]) + fabs (xy[1]), <, 1e-5);
  for (int i = 0; i < L; i++)
    moved[i] = map.mean[i] + 2 * map.components[i];
  dv_latent_map_project (&map, moved, 1, xy);
  g_assert_cmpfloat_with_epsilon (xy[0], 2, 1e-5);
  g_assert_cmpfloat_with_epsilon (xy[1], 0, 1e-5);
  dv_latent_map_clear (&map);

  /* Latents that do not vary, or too few. */
  g_autofree float *flat = g_new0 (float, 10 * 2 * L);
  g_assert_false (dv_latent_map_compute (&map, flat, 10, 2, L, 10, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (dv_latent_map_compute (&map, z, 1, 2, L, 10, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_INVALID);
}

static void
test_file (void)
{
  const double u[L] = { 0, 1, 0, 0, 0, 0 }, w[L] = { 0, 0, 0, 0, 1, 0 }, m[L] = { 0 };
  g_autofree float *z = planted (300, u, w, m);
  DvLatentMap map, back;
  dv_latent_map_init (&map);
  dv_latent_map_init (&back);
  g_autoptr (GError) error = NULL;
  g_assert_true (dv_latent_map_compute (&map, z, 300, 2, L, 40, &error));
  g_autofree char *dir = g_dir_make_tmp ("dv-latent-map-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "map.safetensors", NULL);
  g_autoptr (GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (meta, "autoencoder_sha256", "abc");
  g_assert_true (dv_latent_map_save (&map, path, meta, &error));
  g_assert_no_error (error);
  g_assert_true (dv_latent_map_load (&back, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.latent_dim, ==, L);
  g_assert_cmpint (back.n_points, ==, 40);
  g_assert_cmpmem (back.mean, sizeof (float) * L, map.mean, sizeof (float) * L);
  g_assert_cmpmem (back.components, sizeof (float) * 2 * L, map.components, sizeof (float) * 2 * L);
  g_assert_cmpmem (back.point_views, 40, map.point_views, 40);
  for (int i = 0; i < 80; i++) /* F16 */
    g_assert_cmpfloat_with_epsilon (back.points[i], map.points[i], 2e-3 * (1 + fabs (map.points[i])));
  g_assert_cmpstr (back.autoencoder_id, ==, "abc");
  g_assert_cmpfloat_with_epsilon (back.explained[0], map.explained[0], 1e-6);
  g_assert_cmpfloat_with_epsilon (back.explained[1], map.explained[1], 1e-6);
  {
    g_autoptr (DvSafetensors) st = dv_safetensors_open (path, &error);
    g_assert_cmpstr (dv_safetensors_metadata (st, "autoencoder_sha256"), ==, "abc");
    g_assert_cmpstr (dv_safetensors_metadata (st, "format"), ==, DV_LATENT_MAP_FORMAT);
  }
  dv_latent_map_clear (&back);

  /* Another file's format, a missing tensor, garbage. */
  g_autofree char *other = g_build_filename (dir, "other.safetensors", NULL);
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    dv_safetensors_writer_add (w, "mean", DV_DTYPE_F32, 1, (int[]){ L }, map.mean);
    dv_safetensors_writer_set_metadata (w, "format", "dimvida-view-latents-1");
    g_assert_true (dv_safetensors_writer_save (w, other, &error));
  }
  g_assert_false (dv_latent_map_load (&back, other, &error));
  g_assert_error (error, DV_ERROR, DV_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not a latent map"));
  g_clear_error (&error);
  {
    g_autoptr (DvSafetensorsWriter) w = dv_safetensors_writer_new ();
    dv_safetensors_writer_add (w, "mean", DV_DTYPE_F32, 1, (int[]){ L }, map.mean);
    dv_safetensors_writer_add (w, "points", DV_DTYPE_F32, 2, (int[]){ 40, 2 }, map.points);
    dv_safetensors_writer_set_metadata (w, "format", DV_LATENT_MAP_FORMAT);
    g_assert_true (dv_safetensors_writer_save (w, other, &error));
  }
  g_assert_false (dv_latent_map_load (&back, other, &error));
  g_assert_nonnull (strstr (error->message, "components"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (other, "garbage", -1, NULL));
  g_assert_false (dv_latent_map_load (&back, other, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (back.latent_dim, ==, 0);
  dv_latent_map_clear (&map);
  dv_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/views/latent-map/compute", test_compute);
  g_test_add_func ("/views/latent-map/file", test_file);
  return g_test_run ();
}
