/* Private to views/objects/: the state a class generator draws with, the
 * palettes, and the part helpers every class builds from. Each class file
 * (airplane.c, …) defines one dv_object_<class>_generate; registry.c lists them. */
#pragma once

#include "views/mesh.h"
#include "core/rng.h"

#include <math.h>

#define PI_F ((float) G_PI)

typedef struct {
  guint8 rgb[3];
} Colour;

typedef guint8 Palette[][3];

static const Palette wood = { { 156, 102, 58 }, { 186, 136, 86 }, { 122, 78, 44 }, { 205, 165, 115 }, { 96, 62, 36 },
                              { 170, 120, 70 } };
static const Palette metal = { { 175, 175, 180 }, { 125, 125, 130 }, { 80, 80, 85 }, { 205, 205, 210 } };
static const Palette dark = { { 28, 28, 32 }, { 45, 45, 50 }, { 62, 58, 55 } };
static const Palette fabric = { { 165, 45, 45 }, { 55, 85, 145 }, { 75, 115, 75 }, { 205, 192, 165 }, { 115, 115, 125 },
                                { 140, 100, 160 }, { 205, 125, 60 }, { 65, 65, 75 }, { 100, 66, 48 }, { 170, 150,
                                  120 } };
static const Palette paint = { { 200, 35, 35 }, { 35, 75, 175 }, { 190, 190, 195 }, { 235, 235, 235 }, { 40, 40, 45 },
                               { 230, 190, 40 }, { 40, 125, 75 }, { 225, 110, 30 }, { 120, 20, 30 }, { 90, 140, 190 } };
static const Palette plastic = { { 235, 235, 230 }, { 205, 200, 190 }, { 160, 160, 165 }, { 50, 50, 55 }, { 30, 30,
  35 } };
static const Palette screen = { { 18, 22, 38 }, { 12, 12, 16 }, { 28, 38, 70 }, { 20, 45, 60 } };
/* Screens that are switched on: a desktop or a home screen. */
static const Palette lit_screen = { { 60, 110, 170 }, { 80, 150, 200 }, { 90, 140, 110 }, { 150, 120, 180 } };
static const Palette lampshade = { { 240, 230, 200 }, { 245, 245, 240 }, { 200, 50, 40 }, { 60, 120, 90 }, { 40, 40,
  45 },
                                   { 230, 200, 120 }, { 90, 130, 180 } };
static const Palette hull = { { 240, 240, 240 }, { 200, 40, 40 }, { 30, 60, 120 }, { 40, 40, 45 }, { 225, 225, 215 },
                              { 60, 110, 70 }, { 150, 150, 155 } };
static const Palette military = { { 110, 115, 90 }, { 85, 95, 70 }, { 140, 140, 145 }, { 175, 160, 125 } };

/* ---- generator state and part helpers ---- */

typedef struct {
  DvMesh *mesh;
  DvRng *rng;
  /* Applied to every part: lets a generator build a sub-assembly (a chair back, a
   * lamp arm) in its own coordinates and then tilt or move it as a whole. */
  DvXform frame;
} DvObjectBuilder;

static inline float
uniform (DvObjectBuilder *g, float lo, float hi)
{
  return dv_rng_uniform_range (g->rng, lo, hi);
}

/* Uniform integer in [lo, hi], both included. */
static inline int
integer (DvObjectBuilder *g, int lo, int hi)
{
  return (int) dv_rng_int_range (g->rng, lo, (gint64) hi + 1);
}

/* TRUE with probability p. */
static inline gboolean
chance (DvObjectBuilder *g, float p)
{
  return dv_rng_uniform (g->rng) < p;
}

#define PICK(g, palette) pick_colour (g, palette, G_N_ELEMENTS (palette))

static inline Colour
pick_colour (DvObjectBuilder *g, const guint8 (*palette)[3], int n)
{
  const guint8 *base = palette[integer (g, 0, n - 1)];
  Colour c;
  for (int k = 0; k < 3; k++)
    c.rgb[k] = (guint8) CLAMP ((int) base[k] + integer (g, -10, 10), 0, 255);
  return c;
}

static inline Colour
scaled (Colour c, float f)
{
  Colour r;
  for (int k = 0; k < 3; k++)
    r.rgb[k] = (guint8) CLAMP ((int) (c.rgb[k] * f + 0.5f), 0, 255);
  return r;
}

static inline Colour
rgb (guint8 r, guint8 g, guint8 b)
{
  Colour c = { { r, g, b } };
  return c;
}

static inline DvXform
in_frame (DvObjectBuilder *g, const DvXform *local)
{
  return dv_xform_mul (&g->frame, local);
}

static inline void
box_rot (DvObjectBuilder *g, float cx, float cy, float cz, float sx, float sy, float sz, float rx, float ry, float rz, Colour c)
{
  DvXform local = dv_xform_place (cx, cy, cz, sx, sy, sz, rx, ry, rz);
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_box (g->mesh, &xf, c.rgb);
}

static inline void
box (DvObjectBuilder *g, float cx, float cy, float cz, float sx, float sy, float sz, Colour c)
{
  box_rot (g, cx, cy, cz, sx, sy, sz, 0, 0, 0, c);
}

/* A box given by its corners. */
static inline void
slab (DvObjectBuilder *g, float x0, float y0, float z0, float x1, float y1, float z1, Colour c)
{
  box (g, 0.5f * (x0 + x1), 0.5f * (y0 + y1), 0.5f * (z0 + z1), fabsf (x1 - x0), fabsf (y1 - y0), fabsf (z1 - z0), c);
}

/* A frustum with its axis along 'x', 'y' or 'z': diameters at the low and high end of the axis. */
static inline void
frustum (DvObjectBuilder *g, char axis, float cx, float cy, float cz, float d_low, float d_high, float length, Colour c)
{
  float d = MAX (d_low, d_high);
  float rx = 0, rz = 0;
  if (axis == 'z')
    rx = PI_F / 2;
  else if (axis == 'x')
    rz = -PI_F / 2;
  DvXform local = dv_xform_place (cx, cy, cz, d, length, d, rx, 0, rz);
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_frustum (g->mesh, &xf, d_low / d, d_high / d, 16, c.rgb);
}

static inline void
cylinder (DvObjectBuilder *g, char axis, float cx, float cy, float cz, float diameter, float length, Colour c)
{
  frustum (g, axis, cx, cy, cz, diameter, diameter, length, c);
}

static inline void
ellipsoid (DvObjectBuilder *g, float cx, float cy, float cz, float sx, float sy, float sz, Colour c)
{
  DvXform local = dv_xform_place (cx, cy, cz, sx, sy, sz, 0, 0, 0);
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_ellipsoid (g->mesh, &xf, 8, 14, c.rgb);
}

static inline void
tube (DvObjectBuilder *g, float ax, float ay, float az, float bx, float by, float bz, float radius, Colour c)
{
  float a[3] = { ax, ay, az }, b[3] = { bx, by, bz };
  dv_xform_apply_point (&g->frame, a, a);
  dv_xform_apply_point (&g->frame, b, b);
  dv_mesh_add_tube (g->mesh, a, b, radius, 10, c.rgb);
}

/* A convex side profile: (z, y) points, extruded across x over `width` around x = cx. */
static inline void
side_prism (DvObjectBuilder *g, int n, const float *zy, float cx, float width, Colour c)
{
  DvXform local = { { { 0, 0, width, cx }, { 0, 1, 0, 0 }, { 1, 0, 0, 0 } } };
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_prism (g->mesh, &xf, n, zy, c.rgb);
}

/* A convex top-view outline: (x, z) points, extruded along y over `thickness` around y = cy. */
static inline void
top_plate (DvObjectBuilder *g, int n, const float *xz, float cy, float thickness, Colour c)
{
  DvXform local = { { { 1, 0, 0, 0 }, { 0, 0, thickness, cy }, { 0, 1, 0, 0 } } };
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_prism (g->mesh, &xf, n, xz, c.rgb);
}

/* A loft along z: stations at z[s], each an elliptic-ish ring of half-width w[s],
 * spanning y from bottom[s] to top[s]; `squareness` 0 gives ellipses, 1 nearly boxes. */
#define LOFT_RING 16
static inline void
loft_z (DvObjectBuilder *g, int n, const float *z, const float *w, const float *bottom, const float *top, float squareness,
        Colour c)
{
  float *rings = g_new (float, 3 * (gsize) n * LOFT_RING);
  for (int s = 0; s < n; s++)
    for (int i = 0; i < LOFT_RING; i++)
      {
        float t = 2.0f * PI_F * (i + 0.5f) / LOFT_RING, ct = cosf (t), st = sinf (t);
        /* A superellipse: exponents below 1 push points towards the corners. */
        float e = 1.0f - 0.8f * squareness;
        float px = copysignf (powf (fabsf (ct), e), ct), py = copysignf (powf (fabsf (st), e), st);
        float *p = rings + 3 * ((gsize) s * LOFT_RING + i);
        p[0] = w[s] * px;
        p[1] = 0.5f * (bottom[s] + top[s]) + 0.5f * (top[s] - bottom[s]) * py;
        p[2] = z[s];
      }
  dv_mesh_add_loft (g->mesh, &g->frame, n, LOFT_RING, rings, c.rgb);
  g_free (rings);
}

/* A disc facing +z (speaker cones, dials, camera lenses). */
static inline void
disc_z (DvObjectBuilder *g, float cx, float cy, float cz, float diameter, float depth, Colour c)
{
  cylinder (g, 'z', cx, cy, cz, diameter, depth, c);
}

/* The class generators, one per file. */
void dv_object_airplane_generate (DvObjectBuilder *g);
void dv_object_bench_generate (DvObjectBuilder *g);
void dv_object_cabinet_generate (DvObjectBuilder *g);
void dv_object_car_generate (DvObjectBuilder *g);
void dv_object_chair_generate (DvObjectBuilder *g);
void dv_object_display_generate (DvObjectBuilder *g);
void dv_object_lamp_generate (DvObjectBuilder *g);
void dv_object_loudspeaker_generate (DvObjectBuilder *g);
void dv_object_rifle_generate (DvObjectBuilder *g);
void dv_object_sofa_generate (DvObjectBuilder *g);
void dv_object_table_generate (DvObjectBuilder *g);
void dv_object_telephone_generate (DvObjectBuilder *g);
void dv_object_watercraft_generate (DvObjectBuilder *g);
