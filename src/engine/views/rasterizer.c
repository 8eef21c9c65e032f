#include "views/rasterizer.h"

#include <math.h>
#include <string.h>

static const char *const view_names[DV_VIEW_COUNT] = { "front", "right", "back", "left" };

const char *
dv_view_name (int view)
{
  DV_CHECK (view >= 0 && view < DV_VIEW_COUNT, "dv_view_name: view %d out of range", view);
  return view_names[view];
}

float
dv_view_azimuth_deg (int view)
{
  DV_CHECK (view >= 0 && view < DV_VIEW_COUNT, "dv_view_azimuth_deg: view %d out of range", view);
  return 90.0f * view;
}

void
dv_rasterizer_config_init (DvRasterizerConfig *options)
{
  options->width = DV_VIEW_SIZE;
  options->height = DV_VIEW_SIZE;
  options->supersample = 3;
  options->elevation_deg = 30.0f;
  options->distance = 2.5f;
  options->ambient = 0.42f;
  options->diffuse = 0.68f;
}

struct DvRasterizer {
  DvRasterizerConfig options;
  int sample_width;  /* width * supersample */
  int sample_height;
  float *inverse_depth;  /* [sample_height][sample_width], 0 = background */
  guint8 *samples;       /* [sample_height][sample_width][3] */
  /* Per-vertex scratch, grown as needed: screen x, y, 1/depth, and camera-space position and normal. */
  float *screen;
  float *camera;
  guint scratch_vertices;
};

DvRasterizer *
dv_rasterizer_new (const DvRasterizerConfig *options)
{
  DvRasterizer *r = g_new0 (DvRasterizer, 1);
  if (options)
    r->options = *options;
  else
    dv_rasterizer_config_init (&r->options);
  const DvRasterizerConfig *o = &r->options;
  DV_CHECK (o->width > 0 && o->height > 0 && o->width <= 8192 && o->height <= 8192,
            "dv_rasterizer_new: bad size %d×%d", o->width, o->height);
  DV_CHECK (o->supersample >= 2 && o->supersample <= 8, "dv_rasterizer_new: supersample %d not in 2..8",
            o->supersample);
  DV_CHECK (o->distance > 1.05f && o->elevation_deg > -89.0f && o->elevation_deg < 89.0f,
            "dv_rasterizer_new: bad camera");
  r->sample_width = o->width * o->supersample;
  r->sample_height = o->height * o->supersample;
  gsize n = (gsize) r->sample_width * r->sample_height;
  r->inverse_depth = g_new (float, n);
  r->samples = g_new (guint8, 3 * n);
  return r;
}

void
dv_rasterizer_free (DvRasterizer *r)
{
  if (!r)
    return;
  g_free (r->inverse_depth);
  g_free (r->samples);
  g_free (r->screen);
  g_free (r->camera);
  g_free (r);
}

const DvRasterizerConfig *
dv_rasterizer_get_config (const DvRasterizer *r)
{
  return &r->options;
}

static inline float
edge (float ax, float ay, float bx, float by, float px, float py)
{
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/* Fills one triangle into the sample buffers. s*: screen x, y, 1/depth; shade: light intensity per corner. */
static void
fill_triangle (DvRasterizer *r, const float *s0, const float *s1, const float *s2, const float shade[3],
               const guint8 rgb[3])
{
  float area = edge (s0[0], s0[1], s1[0], s1[1], s2[0], s2[1]);
  if (fabsf (area) < 1e-8f)
    return;
  if (area < 0.0f)
    {
      /* Make the corners counter-clockwise in screen space so inside means all edges >= 0. */
      const float *t = s1;
      s1 = s2;
      s2 = t;
      float sh[3] = { shade[0], shade[2], shade[1] };
      fill_triangle (r, s0, s1, s2, sh, rgb);
      return;
    }
  int W = r->sample_width, H = r->sample_height;
  int x0 = MAX (0, (int) floorf (MIN (s0[0], MIN (s1[0], s2[0]))));
  int x1 = MIN (W - 1, (int) ceilf (MAX (s0[0], MAX (s1[0], s2[0]))));
  int y0 = MAX (0, (int) floorf (MIN (s0[1], MIN (s1[1], s2[1]))));
  int y1 = MIN (H - 1, (int) ceilf (MAX (s0[1], MAX (s1[1], s2[1]))));
  if (x0 > x1 || y0 > y1)
    return;
  float inv_area = 1.0f / area;
  /* Edge functions are affine: step them by their x and y increments. */
  float e0dx = -(s2[1] - s1[1]), e0dy = s2[0] - s1[0];
  float e1dx = -(s0[1] - s2[1]), e1dy = s0[0] - s2[0];
  float e2dx = -(s1[1] - s0[1]), e2dy = s1[0] - s0[0];
  float px = x0 + 0.5f, py = y0 + 0.5f;
  float row0 = edge (s1[0], s1[1], s2[0], s2[1], px, py);
  float row1 = edge (s2[0], s2[1], s0[0], s0[1], px, py);
  float row2 = edge (s0[0], s0[1], s1[0], s1[1], px, py);
  float col[3] = { rgb[0], rgb[1], rgb[2] };
  float rows[3] = { row0, row1, row2 }, steps_x[3] = { e0dx, e1dx, e2dx }, steps_y[3] = { e0dy, e1dy, e2dy };
  for (int y = y0; y <= y1; y++, rows[0] += steps_y[0], rows[1] += steps_y[1], rows[2] += steps_y[2])
    {
      /* Only visit the span of this row where every edge function can be >= 0
       * (widened by a sample, the test below decides): thin diagonal triangles
       * would otherwise scan a mostly empty bounding box. */
      int xa = x0, xb = x1;
      for (int e = 0; e < 3 && xa <= xb; e++)
        {
          float a = steps_x[e], c = rows[e];
          if (a > 0.0f)
            xa = MAX (xa, (int) ceilf (x0 - c / a) - 1);
          else if (a < 0.0f)
            xb = MIN (xb, (int) floorf (x0 - c / a) + 1);
          else if (c < 0.0f)
            xb = xa - 1;
        }
      float *depth = r->inverse_depth + (gsize) y * W;
      guint8 *out = r->samples + 3 * (gsize) y * W;
      for (int x = xa; x <= xb; x++)
        {
          float dx = (float) (x - x0);
          float w0 = rows[0] + steps_x[0] * dx, w1 = rows[1] + steps_x[1] * dx, w2 = rows[2] + steps_x[2] * dx;
          if (w0 >= 0.0f && w1 >= 0.0f && w2 >= 0.0f)
            {
              float b0 = w0 * inv_area, b1 = w1 * inv_area, b2 = w2 * inv_area;
              float iz = b0 * s0[2] + b1 * s1[2] + b2 * s2[2];
              if (iz > depth[x])
                {
                  depth[x] = iz;
                  float light = b0 * shade[0] + b1 * shade[1] + b2 * shade[2];
                  for (int k = 0; k < 3; k++)
                    {
                      float v = col[k] * light + 0.5f;
                      out[3 * x + k] = (guint8) (v > 255.0f ? 255.0f : v);
                    }
                }
            }
        }
    }
}

void
dv_rasterizer_render (DvRasterizer *r, const DvMesh *mesh, float azimuth_deg, guint8 *rgb)
{
  const DvRasterizerConfig *o = &r->options;
  int W = r->sample_width, H = r->sample_height, ss = o->supersample;
  gsize n_samples = (gsize) W * H;
  memset (r->inverse_depth, 0, sizeof (float) * n_samples);
  memset (r->samples, 255, 3 * n_samples);

  float centre[3], radius;
  if (dv_mesh_bounding_sphere (mesh, centre, &radius) && radius > 0.0f && mesh->n_triangles > 0)
    {
      float az = azimuth_deg * (float) G_PI / 180.0f, el = o->elevation_deg * (float) G_PI / 180.0f;
      float eye[3] = { o->distance * sinf (az) * cosf (el), o->distance * sinf (el),
        o->distance * cosf (az) * cosf (el) };
      float fwd[3] = { -eye[0] / o->distance, -eye[1] / o->distance, -eye[2] / o->distance };
      float right[3] = { -fwd[2], 0.0f, fwd[0] };  /* fwd × up, up = +y */
      float rn = sqrtf (right[0] * right[0] + right[2] * right[2]);
      right[0] /= rn;
      right[2] /= rn;
      float up[3] = { right[1] * fwd[2] - right[2] * fwd[1], right[2] * fwd[0] - right[0] * fwd[2],
                      right[0] * fwd[1] - right[1] * fwd[0] };
      /* The unit sphere seen from `distance` spans asin(1 / distance); a 6% margin keeps it off the border. */
      float half = asinf (1.0f / o->distance);
      float focal = 0.5f * MIN (W, H) / (tanf (half) * 1.06f);
      /* Two directional lights: a key light fixed to the world (above, front left
       * of the object), so that even a symmetric object looks different from the
       * front and the back, and a fill light from the camera, so no view is dark. */
      float key_world[3] = { -0.45f, 0.8f, 0.4f };
      float kn = sqrtf (key_world[0] * key_world[0] + key_world[1] * key_world[1] + key_world[2] * key_world[2]);
      float key[3] = {
        (key_world[0] * right[0] + key_world[1] * right[1] + key_world[2] * right[2]) / kn,
        (key_world[0] * up[0] + key_world[1] * up[1] + key_world[2] * up[2]) / kn,
        (key_world[0] * fwd[0] + key_world[1] * fwd[1] + key_world[2] * fwd[2]) / kn,
      };
      const float fill[3] = { -0.3f, 0.4f, -0.866f };  /* towards the camera, a little up and left */

      if (mesh->n_vertices > r->scratch_vertices)
        {
          r->scratch_vertices = mesh->n_vertices;
          r->screen = g_renew (float, r->screen, 3 * (gsize) r->scratch_vertices);
          r->camera = g_renew (float, r->camera, 6 * (gsize) r->scratch_vertices);
        }
      float inv_radius = 1.0f / radius;
      for (guint v = 0; v < mesh->n_vertices; v++)
        {
          const float *p = mesh->positions + 3 * (gsize) v, *n = mesh->normals + 3 * (gsize) v;
          float q[3];
          for (int k = 0; k < 3; k++)
            q[k] = (p[k] - centre[k]) * inv_radius - eye[k];
          float cx = q[0] * right[0] + q[1] * right[1] + q[2] * right[2];
          float cy = q[0] * up[0] + q[1] * up[1] + q[2] * up[2];
          float cz = q[0] * fwd[0] + q[1] * fwd[1] + q[2] * fwd[2];
          float *c = r->camera + 6 * (gsize) v;
          c[0] = cx;
          c[1] = cy;
          c[2] = cz;
          c[3] = n[0] * right[0] + n[1] * right[1] + n[2] * right[2];
          c[4] = n[0] * up[0] + n[1] * up[1] + n[2] * up[2];
          c[5] = n[0] * fwd[0] + n[1] * fwd[1] + n[2] * fwd[2];
          float iz = 1.0f / cz;  /* cz >= distance - 1 > 0: the sphere never reaches the camera */
          float *s = r->screen + 3 * (gsize) v;
          s[0] = 0.5f * W + cx * iz * focal;
          s[1] = 0.5f * H - cy * iz * focal;
          s[2] = iz;
        }
      for (guint t = 0; t < mesh->n_triangles; t++)
        {
          const guint32 *idx = mesh->indices + 3 * (gsize) t;
          float shade[3];
          for (int k = 0; k < 3; k++)
            {
              const float *c = r->camera + 6 * (gsize) idx[k];
              float nx = c[3], ny = c[4], nz = c[5];
              /* Two-sided lighting: turn the normal towards the camera (which sits at the origin). */
              if (nx * c[0] + ny * c[1] + nz * c[2] > 0.0f)
                nx = -nx, ny = -ny, nz = -nz;
              float key_lambert = MAX (0.0f, nx * key[0] + ny * key[1] + nz * key[2]);
              float fill_lambert = MAX (0.0f, nx * fill[0] + ny * fill[1] + nz * fill[2]);
              shade[k] = MIN (1.0f, o->ambient + o->diffuse * (0.65f * key_lambert + 0.45f * fill_lambert));
            }
          fill_triangle (r, r->screen + 3 * (gsize) idx[0], r->screen + 3 * (gsize) idx[1],
                         r->screen + 3 * (gsize) idx[2], shade, mesh->colors + 3 * (gsize) t);
        }
    }

  /* Box filter down to the output size. */
  int half_count = ss * ss / 2;
  for (int y = 0; y < o->height; y++)
    for (int x = 0; x < o->width; x++)
      {
        int acc[3] = { 0, 0, 0 };
        for (int sy = 0; sy < ss; sy++)
          {
            const guint8 *row = r->samples + 3 * ((gsize) (y * ss + sy) * W + (gsize) x * ss);
            for (int sx = 0; sx < ss; sx++)
              for (int k = 0; k < 3; k++)
                acc[k] += row[3 * sx + k];
          }
        guint8 *out = rgb + 3 * ((gsize) y * o->width + x);
        for (int k = 0; k < 3; k++)
          out[k] = (guint8) ((acc[k] + half_count) / (ss * ss));
      }
}

void
dv_rasterizer_render_views (DvRasterizer *r, const DvMesh *mesh, guint8 *rgb)
{
  gsize view_bytes = 3 * (gsize) r->options.width * r->options.height;
  for (int v = 0; v < DV_VIEW_COUNT; v++)
    dv_rasterizer_render (r, mesh, dv_view_azimuth_deg (v), rgb + v * view_bytes);
}

void
dv_views_to_strip (const guint8 *views, int n_views, int width, int height, guint8 *strip)
{
  for (int v = 0; v < n_views; v++)
    for (int y = 0; y < height; y++)
      memcpy (strip + 3 * ((gsize) y * n_views * width + (gsize) v * width),
              views + 3 * (((gsize) v * height + y) * width), 3 * (gsize) width);
}
