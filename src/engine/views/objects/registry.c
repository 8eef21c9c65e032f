#include "views/objects/registry.h"

#include <math.h>
#include <string.h>

#define PI_F ((float) G_PI)

static const char *const class_names[DV_N_OBJECT_CLASSES] = {
  "airplane", "bench", "cabinet", "car", "chair", "display", "lamp",
  "loudspeaker", "rifle", "sofa", "table", "telephone", "watercraft",
};

const char *
dv_object_class_name (int class_index)
{
  DV_CHECK (class_index >= 0 && class_index < DV_N_OBJECT_CLASSES, "dv_object_class_name: class %d out of range",
            class_index);
  return class_names[class_index];
}

int
dv_object_class_index (const char *name)
{
  for (int k = 0; k < DV_N_OBJECT_CLASSES; k++)
    if (g_strcmp0 (name, class_names[k]) == 0)
      return k;
  return -1;
}

/* ---- palettes ---- */

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
} Gen;

static float
uniform (Gen *g, float lo, float hi)
{
  return dv_rng_uniform_range (g->rng, lo, hi);
}

/* Uniform integer in [lo, hi], both included. */
static int
integer (Gen *g, int lo, int hi)
{
  return (int) dv_rng_int_range (g->rng, lo, (gint64) hi + 1);
}

/* TRUE with probability p. */
static gboolean
chance (Gen *g, float p)
{
  return dv_rng_uniform (g->rng) < p;
}

#define PICK(g, palette) pick_colour (g, palette, G_N_ELEMENTS (palette))

static Colour
pick_colour (Gen *g, const guint8 (*palette)[3], int n)
{
  const guint8 *base = palette[integer (g, 0, n - 1)];
  Colour c;
  for (int k = 0; k < 3; k++)
    c.rgb[k] = (guint8) CLAMP ((int) base[k] + integer (g, -10, 10), 0, 255);
  return c;
}

static Colour
scaled (Colour c, float f)
{
  Colour r;
  for (int k = 0; k < 3; k++)
    r.rgb[k] = (guint8) CLAMP ((int) (c.rgb[k] * f + 0.5f), 0, 255);
  return r;
}

static Colour
rgb (guint8 r, guint8 g, guint8 b)
{
  Colour c = { { r, g, b } };
  return c;
}

static DvXform
in_frame (Gen *g, const DvXform *local)
{
  return dv_xform_mul (&g->frame, local);
}

static void
box_rot (Gen *g, float cx, float cy, float cz, float sx, float sy, float sz, float rx, float ry, float rz, Colour c)
{
  DvXform local = dv_xform_place (cx, cy, cz, sx, sy, sz, rx, ry, rz);
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_box (g->mesh, &xf, c.rgb);
}

static void
box (Gen *g, float cx, float cy, float cz, float sx, float sy, float sz, Colour c)
{
  box_rot (g, cx, cy, cz, sx, sy, sz, 0, 0, 0, c);
}

/* A box given by its corners. */
static void
slab (Gen *g, float x0, float y0, float z0, float x1, float y1, float z1, Colour c)
{
  box (g, 0.5f * (x0 + x1), 0.5f * (y0 + y1), 0.5f * (z0 + z1), fabsf (x1 - x0), fabsf (y1 - y0), fabsf (z1 - z0), c);
}

/* A frustum with its axis along 'x', 'y' or 'z': diameters at the low and high end of the axis. */
static void
frustum (Gen *g, char axis, float cx, float cy, float cz, float d_low, float d_high, float length, Colour c)
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

static void
cylinder (Gen *g, char axis, float cx, float cy, float cz, float diameter, float length, Colour c)
{
  frustum (g, axis, cx, cy, cz, diameter, diameter, length, c);
}

static void
ellipsoid (Gen *g, float cx, float cy, float cz, float sx, float sy, float sz, Colour c)
{
  DvXform local = dv_xform_place (cx, cy, cz, sx, sy, sz, 0, 0, 0);
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_ellipsoid (g->mesh, &xf, 8, 14, c.rgb);
}

static void
tube (Gen *g, float ax, float ay, float az, float bx, float by, float bz, float radius, Colour c)
{
  float a[3] = { ax, ay, az }, b[3] = { bx, by, bz };
  dv_xform_apply_point (&g->frame, a, a);
  dv_xform_apply_point (&g->frame, b, b);
  dv_mesh_add_tube (g->mesh, a, b, radius, 10, c.rgb);
}

/* A convex side profile: (z, y) points, extruded across x over `width` around x = cx. */
static void
side_prism (Gen *g, int n, const float *zy, float cx, float width, Colour c)
{
  DvXform local = { { { 0, 0, width, cx }, { 0, 1, 0, 0 }, { 1, 0, 0, 0 } } };
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_prism (g->mesh, &xf, n, zy, c.rgb);
}

/* A convex top-view outline: (x, z) points, extruded along y over `thickness` around y = cy. */
static void
top_plate (Gen *g, int n, const float *xz, float cy, float thickness, Colour c)
{
  DvXform local = { { { 1, 0, 0, 0 }, { 0, 0, thickness, cy }, { 0, 1, 0, 0 } } };
  DvXform xf = in_frame (g, &local);
  dv_mesh_add_prism (g->mesh, &xf, n, xz, c.rgb);
}

/* A loft along z: stations at z[s], each an elliptic-ish ring of half-width w[s],
 * spanning y from bottom[s] to top[s]; `squareness` 0 gives ellipses, 1 nearly boxes. */
#define LOFT_RING 16
static void
loft_z (Gen *g, int n, const float *z, const float *w, const float *bottom, const float *top, float squareness,
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
static void
disc_z (Gen *g, float cx, float cy, float cz, float diameter, float depth, Colour c)
{
  cylinder (g, 'z', cx, cy, cz, diameter, depth, c);
}

/* ---- airplane ---- */

static void
gen_airplane (Gen *g)
{
  float L = 1.0f;
  gboolean fighter = chance (g, 0.2f), prop = !fighter && chance (g, 0.2f);
  float r = fighter ? uniform (g, 0.035f, 0.05f) : prop ? uniform (g, 0.045f, 0.065f) : uniform (g, 0.04f, 0.075f);
  Colour body = fighter ? PICK (g, military) : chance (g, 0.7f) ? PICK (g, plastic) : PICK (g, paint);
  if (body.rgb[0] < 60 && body.rgb[1] < 60)
    body = rgb (220, 222, 225);
  Colour accent = chance (g, 0.5f) ? PICK (g, paint) : body;
  Colour wingc = chance (g, 0.7f) ? body : scaled (body, 0.85f);
  Colour darkc = PICK (g, dark);

  /* Fuselage: nose at +z, tail rising towards the fin. */
  float zs[7] = { -0.5f * L, -0.38f * L, -0.15f * L, 0.15f * L, 0.36f * L, 0.45f * L, 0.5f * L };
  float radius[7] = { 0.25f, 0.65f, 1.0f, 1.0f, 0.85f, 0.55f, 0.12f };
  float w[7], bot[7], top[7];
  float nose_drop = fighter ? 0.0f : uniform (g, -0.2f, 0.2f);
  for (int s = 0; s < 7; s++)
    {
      float rr = radius[s] * r;
      float lift = s < 2 ? (2 - s) * 0.5f * r : (s == 6 ? nose_drop * r : 0.0f);
      w[s] = rr;
      bot[s] = lift - rr + (s < 2 ? 0.4f * r : 0.0f);
      top[s] = lift + rr;
    }
  loft_z (g, 7, zs, w, bot, top, 0.0f, body);
  /* Cockpit windows. */
  if (!prop)
    ellipsoid (g, 0, 0.55f * r, 0.4f * L, 1.3f * r, 0.6f * r, 0.12f * L, darkc);

  /* Main wings: a swept trapezoid each side. */
  float span = fighter ? uniform (g, 0.5f, 0.7f) : uniform (g, 0.8f, 1.25f);
  float root = fighter ? uniform (g, 0.35f, 0.5f) : uniform (g, 0.14f, 0.26f);
  float tip = fighter ? uniform (g, 0.02f, 0.06f) : root * uniform (g, 0.25f, 0.6f);
  float sweep = fighter ? root - tip : prop ? uniform (g, -0.02f, 0.04f) : uniform (g, 0.08f, 0.3f);
  float wing_z = fighter ? -0.1f : prop ? uniform (g, 0.05f, 0.15f) : uniform (g, -0.05f, 0.08f);
  float wing_y = prop ? 0.8f * r : uniform (g, -0.6f, 0.2f) * r;
  float th = 0.12f * r;
  for (int side = -1; side <= 1; side += 2)
    {
      float half = 0.5f * span;
      /* (x, z) outline, counter-clockwise for side +1. */
      float xz[8] = { 0.0f, wing_z - 0.5f * root, side * half, wing_z + 0.5f * root - sweep - tip,
                      side * half, wing_z + 0.5f * root - sweep, 0.0f, wing_z + 0.5f * root };
      top_plate (g, 4, xz, wing_y, th, wingc);
    }
  /* Engines under the wings. */
  int engines = fighter ? 0 : prop ? 0 : (chance (g, 0.75f) ? (chance (g, 0.75f) ? 2 : 4) : 0);
  for (int e = 0; e < engines; e++)
    {
      int side = (e % 2) ? 1 : -1;
      float f = engines == 2 ? 0.33f : (e < 2 ? 0.25f : 0.55f);
      float x = side * f * 0.5f * span;
      float z = wing_z + 0.5f * root - sweep * f * 0.9f;
      float d = uniform (g, 0.9f, 1.3f) * r;
      cylinder (g, 'z', x, wing_y - 0.6f * d, z, d, 2.8f * d, chance (g, 0.5f) ? body : scaled (body, 0.8f));
      disc_z (g, x, wing_y - 0.6f * d, z + 1.4f * d, 0.8f * d, 0.02f, darkc);
    }
  if (prop)
    {
      cylinder (g, 'z', 0, nose_drop * r, 0.5f * L + 0.01f, 0.25f * r, 0.04f, darkc);
      box (g, 0, nose_drop * r, 0.5f * L + 0.02f, 0.3f * L * uniform (g, 0.7f, 1.0f), 0.05f * r * 4, 0.01f, darkc);
    }

  /* Tail: horizontal stabiliser and fin(s). */
  float tail_z = -0.5f * L + 0.06f;
  if (!fighter)
    {
      float hs = uniform (g, 0.25f, 0.4f), hc = uniform (g, 0.08f, 0.13f);
      gboolean t_tail = chance (g, 0.2f);
      float fin_h = uniform (g, 0.13f, 0.22f);
      float hy = t_tail ? r + fin_h : r * 0.6f;
      for (int side = -1; side <= 1; side += 2)
        {
          float xz[8] = { 0.0f, tail_z - 0.5f * hc, side * 0.5f * hs, tail_z - 0.3f * hc,
                          side * 0.5f * hs, tail_z + 0.05f * hc, 0.0f, tail_z + 0.5f * hc + 0.05f };
          top_plate (g, 4, xz, hy, th, wingc);
        }
      float fc = uniform (g, 0.12f, 0.2f);
      float zy[8] = { tail_z - 0.5f * fc, r * 0.8f, tail_z + 0.6f * fc, r * 0.8f,
                      tail_z - 0.1f * fc, r + fin_h, tail_z - 0.5f * fc - 0.05f, r + fin_h };
      side_prism (g, 4, zy, 0, th, accent);
    }
  else
    {
      int fins = integer (g, 1, 2);
      float fin_h = uniform (g, 0.12f, 0.17f), fc = uniform (g, 0.14f, 0.2f);
      for (int f = 0; f < fins; f++)
        {
          float x = fins == 1 ? 0.0f : (f ? 1.2f : -1.2f) * r;
          float zy[8] = { tail_z - 0.3f * fc, r * 0.6f, tail_z + 0.7f * fc, r * 0.6f,
                          tail_z + 0.05f * fc, r + fin_h, tail_z - 0.3f * fc, r + fin_h };
          side_prism (g, 4, zy, x, th, accent);
        }
    }
}

/* ---- bench ---- */

static void
gen_bench (Gen *g)
{
  float L = uniform (g, 1.1f, 2.0f), D = uniform (g, 0.3f, 0.5f), H = uniform (g, 0.38f, 0.48f), t = uniform (g,
    0.03f, 0.07f);
  Colour seat = chance (g, 0.75f) ? PICK (g, wood) : PICK (g, plastic);
  Colour legc = chance (g, 0.5f) ? seat : chance (g, 0.5f) ? PICK (g, metal) : PICK (g, dark);
  gboolean slats = chance (g, 0.5f);
  if (slats)
    {
      int n = integer (g, 3, 6);
      float gap = uniform (g, 0.01f, 0.03f), sw = (D - gap * (n - 1)) / n;
      for (int i = 0; i < n; i++)
        box (g, 0, H - 0.5f * t, -0.5f * D + 0.5f * sw + i * (sw + gap), L, t, sw, seat);
    }
  else
    box (g, 0, H - 0.5f * t, 0, L, t, D, seat);

  int support = integer (g, 0, 3);
  float lh = H - t, lt = uniform (g, 0.04f, 0.08f), inset = uniform (g, 0.03f, 0.15f) * L;
  float xs[3] = { -0.5f * L + inset, 0.5f * L - inset, 0.0f };
  int pairs = (support == 3 || (support == 0 && L > 1.6f)) ? 3 : 2;
  for (int p = 0; p < pairs; p++)
    {
      float x = xs[p];
      if (support == 1)  /* solid end panels */
        box (g, x, 0.5f * lh, 0, lt, lh, D * uniform (g, 0.85f, 1.0f), legc);
      else if (support == 2)  /* splayed trestle legs */
        {
          float spread = uniform (g, 0.05f, 0.12f);
          for (int s = -1; s <= 1; s += 2)
            tube (g, x, lh, s * 0.3f * D, x, 0, s * (0.3f * D + spread), 0.5f * lt, legc);
          box (g, x, lh - 0.03f, 0, lt, 0.05f, D * 0.9f, legc);
        }
      else
        for (int s = -1; s <= 1; s += 2)
          box (g, x, 0.5f * lh, s * (0.5f * D - 0.5f * lt - 0.02f), lt, lh, lt, legc);
    }
  if (support != 1 && chance (g, 0.5f))  /* a stretcher along the length */
    box (g, 0, 0.3f * lh, 0, L - 2 * inset, 0.04f, 0.04f, legc);

  if (chance (g, 0.45f))  /* back rest */
    {
      float bh = uniform (g, 0.3f, 0.45f), tilt = uniform (g, 0.05f, 0.3f);
      DvXform t0 = dv_xform_translate (0, H, -0.5f * D + 0.03f), r0 = dv_xform_rotate_x (-tilt);
      g->frame = dv_xform_mul (&t0, &r0);
      int rails = integer (g, 2, 4);
      float rh = bh / (rails * 1.6f);
      for (int i = 0; i < rails; i++)
        box (g, 0, bh - 0.5f * rh - i * 1.6f * rh, 0, L * 0.98f, rh, 0.03f, seat);
      for (int p = 0; p < pairs; p++)
        box (g, xs[p], 0.5f * bh, -0.025f, 0.05f, bh, 0.03f, legc);
      g->frame = dv_xform_identity ();
      if (chance (g, 0.5f))  /* arm rests */
        for (int s = -1; s <= 1; s += 2)
          {
            box (g, s * (0.5f * L - 0.03f), H + 0.22f, 0, 0.05f, 0.04f, D, legc);
            box (g, s * (0.5f * L - 0.03f), H + 0.11f, 0.4f * D, 0.04f, 0.22f, 0.04f, legc);
          }
    }
}

/* ---- cabinet ---- */

static void
handle (Gen *g, float x, float y, float z, gboolean vertical, gboolean knob, Colour c)
{
  if (knob)
    disc_z (g, x, y, z + 0.012f, 0.04f, 0.025f, c);
  else if (vertical)
    box (g, x, y, z + 0.012f, 0.022f, 0.14f, 0.02f, c);
  else
    box (g, x, y, z + 0.012f, 0.14f, 0.022f, 0.02f, c);
}

static void
gen_cabinet (Gen *g)
{
  float W = uniform (g, 0.45f, 1.3f), H = uniform (g, 0.5f, 1.9f), D = uniform (g, 0.35f, 0.6f);
  Colour body = chance (g, 0.5f) ? PICK (g, wood) : PICK (g, plastic);
  Colour front = chance (g, 0.6f) ? scaled (body, uniform (g, 0.72f, 0.88f)) : (chance (g, 0.5f) ? PICK (g,
    wood) : PICK (g, plastic));
  Colour handlec = chance (g, 0.6f) ? PICK (g, metal) : PICK (g, dark);
  gboolean knobs = chance (g, 0.35f);
  float base = 0.0f;
  int feet = integer (g, 0, 2);
  if (feet == 1)
    {
      base = uniform (g, 0.04f, 0.1f);
      box (g, 0, 0.5f * base, 0, W * 0.94f, base, D * 0.9f, scaled (body, 0.6f));
    }
  else if (feet == 2)
    {
      base = uniform (g, 0.08f, 0.2f);
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          box (g, sx * (0.5f * W - 0.04f), 0.5f * base, sz * (0.5f * D - 0.04f), 0.04f, base, 0.04f, handlec);
    }
  float body_h = H - base;
  box (g, 0, base + 0.5f * body_h, 0, W, body_h, D, body);
  if (chance (g, 0.4f))
    box (g, 0, H + 0.015f, 0.01f, W + 0.04f, 0.03f, D + 0.03f, scaled (body, 0.9f));

  /* The front: doors, drawers, or drawers above doors, as slightly raised panels. */
  /* Gaps wide enough to show at 64 pixels: they are what makes doors and drawers readable. */
  float zf = 0.5f * D + 0.006f, gap = uniform (g, 0.015f, 0.03f), margin = 0.025f;
  int layout = integer (g, 0, 2);
  float fy0 = base + margin, fy1 = H - margin;
  float split = layout == 2 ? fy1 - (fy1 - fy0) * uniform (g, 0.2f, 0.4f) : (layout == 1 ? fy0 : fy1);
  if (layout != 0)
    {
      int n = layout == 1 ? integer (g, 2, 6) : integer (g, 1, 2);
      int cols = W > 0.9f && chance (g, 0.5f) ? 2 : 1;
      float dh = (fy1 - split - (n - 1) * gap) / n;
      float cw = (W - 2 * margin - (cols - 1) * gap) / cols;
      for (int c = 0; c < cols; c++)
        for (int i = 0; i < n; i++)
          {
            float cx = -0.5f * W + margin + 0.5f * cw + c * (cw + gap);
            float cy = fy1 - 0.5f * dh - i * (dh + gap);
            box (g, cx, cy, zf, cw, dh, 0.012f, front);
            handle (g, cx, cy + (knobs ? 0.0f : 0.2f * dh), zf, FALSE, knobs, handlec);
          }
    }
  if (layout != 1)
    {
      float top = layout == 2 ? split - gap : fy1;
      int doors = W > 0.7f ? 2 : (chance (g, 0.3f) ? 2 : 1);
      float dw = (W - 2 * margin - (doors - 1) * gap) / doors;
      gboolean glass = chance (g, 0.15f);
      for (int d = 0; d < doors; d++)
        {
          float cx = -0.5f * W + margin + 0.5f * dw + d * (dw + gap);
          box (g, cx, 0.5f * (fy0 + top), zf, dw, top - fy0, 0.012f, front);
          if (glass)
            box (g, cx, 0.5f * (fy0 + top), zf + 0.007f, dw * 0.7f, (top - fy0) * 0.8f, 0.004f, rgb (150, 175, 190));
          float hx = doors == 2 ? cx + (d ? -1 : 1) * 0.38f * dw : cx + 0.38f * dw;
          handle (g, hx, 0.5f * (fy0 + top) + (top - fy0) * 0.15f, zf, TRUE, knobs, handlec);
        }
    }
}

/* ---- car ---- */

static void
gen_car (Gen *g)
{
  int type = integer (g, 0, 4);  /* sedan, hatchback, SUV, pickup, sports */
  float L = 1.0f, W = uniform (g, 0.38f, 0.46f);
  float wheel = type == 2 || type == 3 ? uniform (g, 0.075f, 0.095f) : uniform (g, 0.06f, 0.078f);  /* radius */
  float clearance = type == 2 || type == 3 ? 0.9f * wheel : 0.6f * wheel;
  float body_h = type == 4 ? uniform (g, 0.1f, 0.13f) : type == 2 ? uniform (g, 0.17f, 0.22f) : uniform (g, 0.13f,
    0.17f);
  float cabin_h = type == 4 ? uniform (g, 0.09f, 0.12f) : type == 2 ? uniform (g, 0.16f, 0.2f) : uniform (g, 0.12f,
    0.16f);
  Colour paintc = PICK (g, paint), glass = rgb (35, 45, 60), tyre = rgb (25, 25, 28);
  Colour rim = PICK (g, metal);
  float y0 = clearance, y1 = clearance + body_h;
  /* Body side profile (z, y), counter-clockwise: sloped nose and tail. */
  float nose = uniform (g, 0.03f, 0.08f), tail = uniform (g, 0.02f, 0.05f);
  float hood_drop = type == 4 ? 0.05f : uniform (g, 0.01f, 0.04f);
  float body[12] = { -0.5f * L, y0 + 0.02f, 0.5f * L - nose, y0, 0.5f * L, y0 + 0.4f * body_h,
                     0.5f * L - 0.03f, y1 - hood_drop, -0.5f * L + tail, y1, -0.5f * L, y1 - 0.3f * body_h };
  side_prism (g, 6, body, 0, W, paintc);

  /* Cabin (the glasshouse) with a roof in body colour. */
  float roof_back, roof_front, run_front, run_back;  /* roof extent, and how far the windows slope out */
  switch (type)
    {
    case 1: roof_back = -0.36f, roof_front = 0.06f, run_front = 0.16f, run_back = 0.07f; break;
    case 2: roof_back = -0.43f, roof_front = 0.1f, run_front = 0.12f, run_back = 0.03f; break;
    case 3: roof_back = -0.12f, roof_front = 0.12f, run_front = 0.12f, run_back = 0.01f; break;
    case 4: roof_back = -0.2f, roof_front = -0.04f, run_front = 0.22f, run_back = 0.18f; break;
    default: roof_back = -0.22f, roof_front = 0.08f, run_front = 0.16f, run_back = 0.13f; break;
    }
  float shift = uniform (g, -0.04f, 0.04f);
  roof_back += shift;
  roof_front += shift;
  float c_front = roof_front + run_front, c_back = MAX (roof_back - run_back, -0.49f * L);
  float rake_f = run_front, rake_b = roof_back - c_back;
  float cw = W * uniform (g, 0.82f, 0.92f);
  float cab[8] = { c_back, y1 - 0.005f, c_front, y1 - 0.005f, c_front - rake_f, y1 + cabin_h,
                   c_back + rake_b, y1 + cabin_h };
  side_prism (g, 4, cab, 0, cw, glass);
  box (g, 0, y1 + cabin_h + 0.008f, 0.5f * (c_front - rake_f + c_back + rake_b), cw * 0.98f, 0.016f,
       (c_front - rake_f) - (c_back + rake_b), paintc);
  /* Pillars between the windows, so the glass reads as windows. */
  for (int s = -1; s <= 1; s += 2)
    box (g, s * 0.5f * cw, y1 + 0.5f * cabin_h, 0.5f * (c_front - rake_f * 0.5f + c_back + rake_b * 0.5f), 0.01f,
         cabin_h, 0.025f, paintc);
  if (type == 3)  /* pickup bed walls */
    {
      float bw = 0.04f, bz0 = -0.5f * L + 0.01f, bz1 = c_back - 0.02f, bh = uniform (g, 0.06f, 0.1f);
      for (int s = -1; s <= 1; s += 2)
        slab (g, s * 0.5f * W - s * bw, y1, bz0, s * 0.5f * W, y1 + bh, bz1, paintc);
      slab (g, -0.5f * W, y1, bz0, 0.5f * W, y1 + bh, bz0 + bw, paintc);
    }
  if (type == 2 && chance (g, 0.5f))  /* roof rails */
    for (int s = -1; s <= 1; s += 2)
      box (g, s * 0.4f * cw, y1 + cabin_h + 0.025f, 0.5f * (c_front + c_back) - 0.03f, 0.02f, 0.015f, 0.55f, rim);

  /* Wheels, axis along x, sticking out a little. */
  float base = uniform (g, 0.56f, 0.66f) * L, offset = uniform (g, -0.03f, 0.03f);
  for (int sx = -1; sx <= 1; sx += 2)
    for (int sz = -1; sz <= 1; sz += 2)
      {
        float x = sx * (0.5f * W - 0.045f), z = sz * 0.5f * base + offset;
        cylinder (g, 'x', x, wheel, z, 2 * wheel, 0.09f, tyre);
        cylinder (g, 'x', x + sx * 0.008f, wheel, z, 1.1f * wheel, 0.09f, rim);
      }
  /* Lights: white/yellow at the front, red at the back. */
  float ly = y0 + 0.55f * body_h;
  for (int s = -1; s <= 1; s += 2)
    {
      box (g, s * 0.36f * W, ly, 0.5f * L - 0.01f, 0.16f * W, 0.035f, 0.03f, rgb (250, 245, 200));
      box (g, s * 0.38f * W, y1 - 0.3f * body_h, -0.5f * L + 0.004f, 0.16f * W, 0.03f, 0.03f, rgb (200, 20, 20));
    }
  box (g, 0, y0 + 0.3f * body_h, 0.5f * L - 0.005f, 0.4f * W, 0.04f, 0.02f, rgb (40, 40, 45));
}

/* ---- chair ---- */

static void
gen_chair (Gen *g)
{
  float sw = uniform (g, 0.4f, 0.56f), sd = uniform (g, 0.38f, 0.52f), sh = uniform (g, 0.4f, 0.5f), st = uniform (g,
    0.03f, 0.09f);
  gboolean office = chance (g, 0.22f);
  Colour frame = office ? PICK (g, dark) : chance (g, 0.6f) ? PICK (g, wood) : PICK (g, metal);
  Colour seat = office || chance (g, 0.45f) ? PICK (g, fabric) : frame;
  box (g, 0, sh - 0.5f * st, 0, sw, st, sd, seat);
  float lt = uniform (g, 0.025f, 0.05f);
  if (office)
    {
      cylinder (g, 'y', 0, 0.5f * (0.08f + sh - st), 0, 0.05f, sh - st - 0.08f, PICK (g, metal));
      int arms = 5;
      for (int k = 0; k < arms; k++)
        {
          float a = 2.0f * PI_F * k / arms + PI_F / 2;
          box_rot (g, 0.14f * cosf (a), 0.07f, -0.14f * sinf (a), 0.28f, 0.03f, 0.04f, 0, a, 0, frame);
          ellipsoid (g, 0.27f * cosf (a), 0.025f, -0.27f * sinf (a), 0.05f, 0.05f, 0.05f, frame);
        }
    }
  else
    {
      gboolean round_legs = chance (g, 0.4f), stretchers = chance (g, 0.35f);
      float inset = uniform (g, 0.0f, 0.04f), lh = sh - st;
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          {
            float x = sx * (0.5f * sw - 0.5f * lt - inset), z = sz * (0.5f * sd - 0.5f * lt - inset);
            if (round_legs)
              cylinder (g, 'y', x, 0.5f * lh, z, lt, lh, frame);
            else
              box (g, x, 0.5f * lh, z, lt, lh, lt, frame);
          }
      if (stretchers)
        for (int sx = -1; sx <= 1; sx += 2)
          box (g, sx * (0.5f * sw - 0.5f * lt - inset), 0.3f * lh, 0, 0.6f * lt, 0.6f * lt, sd - 2 * inset, frame);
    }

  /* The back, built upright at the rear of the seat and tilted backwards. */
  float bh = uniform (g, 0.3f, 0.6f), tilt = uniform (g, 0.0f, 0.25f), bt = uniform (g, 0.02f, 0.06f);
  DvXform t0 = dv_xform_translate (0, sh, -0.5f * sd + 0.5f * bt), r0 = dv_xform_rotate_x (-tilt);
  g->frame = dv_xform_mul (&t0, &r0);
  int back = office ? 0 : integer (g, 0, 3);
  float bw = sw * uniform (g, 0.85f, 1.0f);
  Colour backc = back == 0 ? seat : frame;
  switch (back)
    {
    case 0:  /* solid panel */
      box (g, 0, 0.5f * bh + (office ? 0.08f : 0.0f), 0, bw, bh, bt, backc);
      if (office)
        box (g, 0, 0.05f, -0.02f, 0.05f, 0.1f, 0.02f, frame);
      break;
    case 1:  /* vertical slats under a top rail */
      {
        int n = integer (g, 3, 6);
        float rail = uniform (g, 0.05f, 0.1f);
        box (g, 0, bh - 0.5f * rail, 0, bw, rail, bt, frame);
        for (int i = 0; i < n; i++)
          box (g, -0.5f * bw + (i + 0.5f) * bw / n, 0.5f * (bh - rail), 0, 0.35f * bw / n, bh - rail, 0.6f * bt, frame);
        break;
      }
    case 2:  /* horizontal rails between two posts */
      {
        int n = integer (g, 2, 4);
        for (int s = -1; s <= 1; s += 2)
          box (g, s * (0.5f * bw - 0.5f * lt), 0.5f * bh, 0, lt, bh, lt, frame);
        for (int i = 0; i < n; i++)
          box (g, 0, bh - 0.04f - i * (bh * 0.7f / n), 0, bw, 0.06f, 0.6f * bt, frame);
        break;
      }
    default:  /* panel with a rounded top */
      box (g, 0, 0.4f * bh, 0, bw, 0.8f * bh, bt, backc);
      cylinder (g, 'z', 0, 0.8f * bh, 0, bw, bt, backc);
      break;
    }
  g->frame = dv_xform_identity ();

  if (chance (g, office ? 0.6f : 0.3f))  /* arm rests */
    {
      float ah = uniform (g, 0.18f, 0.25f);
      for (int s = -1; s <= 1; s += 2)
        {
          float x = s * (0.5f * sw - 0.02f);
          box (g, x, sh + ah, -0.05f, 0.05f, 0.03f, sd * 0.8f, frame);
          box (g, x, sh + 0.5f * ah, office ? -0.05f : 0.5f * sd - 0.08f, 0.03f, ah, 0.03f, frame);
        }
    }
}

/* ---- display ---- */

static void
gen_display (Gen *g)
{
  float W = uniform (g, 0.45f, 0.9f), H = W * uniform (g, 0.5f, 0.8f), T = uniform (g, 0.02f, 0.05f);
  int stand = chance (g, 0.12f) ? 3 : chance (g, 0.12f) ? 2 : integer (g, 0, 1);  /* neck, feet, none, CRT */
  Colour bezel = chance (g, 0.7f) ? PICK (g, dark) : PICK (g, plastic);
  Colour screenc = chance (g, 0.25f) ? PICK (g, lit_screen) : PICK (g, screen);
  float lift = stand == 2 ? 0.0f : stand == 1 ? uniform (g, 0.04f, 0.1f) : uniform (g, 0.1f, 0.25f);
  float cy = lift + 0.5f * H;
  if (stand == 3)  /* CRT: a deep tapering back */
    {
      H = W * uniform (g, 0.7f, 0.8f);
      cy = lift + 0.5f * H;
      box (g, 0, cy, 0, W, H, 0.08f, bezel);
      float depth = W * uniform (g, 0.6f, 0.9f);
      float zs[2] = { -0.04f, -0.04f - depth }, w[2] = { 0.45f * W, 0.3f * W };
      float bot[2] = { cy - 0.45f * H, cy - 0.3f * H }, top[2] = { cy + 0.45f * H, cy + 0.25f * H };
      loft_z (g, 2, zs, w, bot, top, 0.9f, bezel);
      box (g, 0, cy, 0.041f, W * 0.82f, H * 0.78f, 0.01f, screenc);
      box (g, 0, 0.5f * lift, -0.2f * depth, 0.5f * W, lift, 0.5f * depth, bezel);
      return;
    }
  float bz = uniform (g, 0.015f, 0.05f);
  box (g, 0, cy, 0, W, H, T, bezel);
  box (g, 0, cy + (chance (g, 0.5f) ? 0.0f : 0.01f), 0.5f * T + 0.002f, W - 2 * bz, H - 2 * bz - 0.01f, 0.004f,
    screenc);
  if (chance (g, 0.6f))  /* electronics bulge at the back */
    box (g, 0, cy, -0.5f * T - 0.02f, W * uniform (g, 0.4f, 0.7f), H * uniform (g, 0.4f, 0.7f), 0.04f, bezel);
  if (stand == 0)
    {
      float nw = uniform (g, 0.04f, 0.1f), bd = uniform (g, 0.15f, 0.25f);
      box (g, 0, 0.5f * (cy + 0.01f), -0.5f * T - 0.03f, nw, cy, 0.03f, bezel);
      if (chance (g, 0.5f))
        box (g, 0, 0.01f, -0.04f, uniform (g, 0.25f, 0.45f) * W + 0.1f, 0.02f, bd, bezel);
      else
        cylinder (g, 'y', 0, 0.01f, -0.04f, uniform (g, 0.2f, 0.3f), 0.02f, bezel);
    }
  else if (stand == 1)
    for (int s = -1; s <= 1; s += 2)
      {
        float x = s * uniform (g, 0.25f, 0.4f) * W;
        tube (g, x, lift + 0.02f, 0, x, 0.01f, 0.06f, 0.012f, bezel);
        box (g, x, 0.01f, 0, 0.04f, 0.02f, 0.2f, bezel);
      }
}

/* ---- lamp ---- */

static void
shade_cone (Gen *g, float x, float y, float z, float d_bottom, float d_top, float h, Colour c)
{
  frustum (g, 'y', x, y, z, d_bottom, d_top, h, c);
}

static void
gen_lamp (Gen *g)
{
  int type = integer (g, 0, 3);  /* floor, table, desk (articulated), arc */
  Colour metalc = chance (g, 0.6f) ? PICK (g, metal) : PICK (g, dark);
  Colour shadec = PICK (g, lampshade);
  Colour basec = chance (g, 0.5f) ? metalc : (chance (g, 0.5f) ? PICK (g, wood) : PICK (g, plastic));
  switch (type)
    {
    case 0:
      {
        float H = uniform (g, 1.2f, 1.7f), bd = uniform (g, 0.22f, 0.38f);
        cylinder (g, 'y', 0, 0.015f, 0, bd, 0.03f, basec);
        float sh = uniform (g, 0.22f, 0.35f), sd = uniform (g, 0.3f, 0.5f);
        tube (g, 0, 0.03f, 0, 0, H - 0.6f * sh, 0, 0.012f, metalc);
        shade_cone (g, 0, H - 0.5f * sh, 0, sd, sd * uniform (g, 0.5f, 0.9f), sh, shadec);
        break;
      }
    case 1:
      {
        float bh = uniform (g, 0.15f, 0.35f), bd = uniform (g, 0.1f, 0.2f);
        if (chance (g, 0.5f))
          ellipsoid (g, 0, 0.5f * bh, 0, bd * 1.3f, bh, bd * 1.3f, basec);
        else
          frustum (g, 'y', 0, 0.5f * bh, 0, bd, bd * uniform (g, 0.5f, 1.0f), bh, basec);
        float stem = uniform (g, 0.05f, 0.15f), sh = uniform (g, 0.15f, 0.25f), sd = uniform (g, 0.22f, 0.4f);
        tube (g, 0, bh, 0, 0, bh + stem + 0.3f * sh, 0, 0.01f, metalc);
        shade_cone (g, 0, bh + stem + 0.5f * sh, 0, sd, sd * uniform (g, 0.55f, 0.95f), sh, shadec);
        break;
      }
    case 2:
      {
        float bd = uniform (g, 0.14f, 0.22f);
        cylinder (g, 'y', 0, 0.015f, 0, bd, 0.03f, basec);
        float a1 = uniform (g, -0.4f, 0.4f), l1 = uniform (g, 0.3f, 0.45f), a2 = uniform (g, 0.7f, 1.4f),
          l2 = uniform (g, 0.28f, 0.4f);
        float j1[3] = { 0, 0.03f + l1 * cosf (a1), -l1 * sinf (a1) - 0.03f };
        float j2[3] = { 0, j1[1] + l2 * cosf (a2) * 0.3f, j1[2] + l2 * sinf (a2) };
        tube (g, 0, 0.03f, -0.03f, j1[0], j1[1], j1[2], 0.012f, metalc);
        ellipsoid (g, j1[0], j1[1], j1[2], 0.04f, 0.04f, 0.04f, metalc);
        tube (g, j1[0], j1[1], j1[2], j2[0], j2[1], j2[2], 0.012f, metalc);
        /* The head: a cone opening downwards and forwards. */
        float hd = uniform (g, 0.12f, 0.2f), hh = uniform (g, 0.1f, 0.16f);
        DvXform t0 = dv_xform_translate (j2[0], j2[1] - 0.3f * hh, j2[2]), r0 = dv_xform_rotate_x (uniform (g, 0.1f,
          0.6f));
        g->frame = dv_xform_mul (&t0, &r0);
        shade_cone (g, 0, 0, 0, hd, hd * 0.3f, hh, shadec);
        g->frame = dv_xform_identity ();
        break;
      }
    default:
      {
        float R = uniform (g, 0.5f, 0.8f), H = uniform (g, 1.2f, 1.7f);
        box (g, 0, 0.04f, 0, 0.3f, 0.08f, 0.3f, basec);
        tube (g, 0, 0.08f, 0, 0, H - R, 0, 0.015f, metalc);
        /* An arc in the yz plane rising from the pole's top, over and a little down
         * (the torus's +x maps to -z, its +z to +y, its axis to x); the shade hangs at its end. */
        float r = 0.015f, s = 2.0f * (R + r), sweep = uniform (g, 0.6f, 0.75f) * PI_F;
        DvXform local = { { { 0, s, 0, 0 }, { 0, 0, s, H - R }, { -s, 0, 0, R } } };
        DvXform xf = in_frame (g, &local);
        dv_mesh_add_torus (g->mesh, &xf, r / (R + r), sweep, 16, 8, metalc.rgb);
        float sd = uniform (g, 0.25f, 0.4f);
        float end_y = H - R + R * sinf (sweep), end_z = R - R * cosf (sweep);
        ellipsoid (g, 0, end_y - 0.06f, end_z, sd, 0.2f, sd, shadec);
        break;
      }
    }
}

/* ---- loudspeaker ---- */

static void
driver (Gen *g, float x, float y, float z, float d, Colour cone, Colour ring)
{
  disc_z (g, x, y, z + 0.004f, d, 0.008f, ring);
  disc_z (g, x, y, z + 0.01f, d * 0.82f, 0.008f, cone);
  ellipsoid (g, x, y, z + 0.012f, d * 0.25f, d * 0.25f, d * 0.12f, scaled (cone, 1.8f));
}

static void
gen_loudspeaker (Gen *g)
{
  gboolean wide = chance (g, 0.15f);
  float W = wide ? uniform (g, 0.5f, 0.8f) : uniform (g, 0.2f, 0.45f);
  float H = wide ? uniform (g, 0.18f, 0.3f) : uniform (g, 0.35f, 1.1f);
  float D = uniform (g, 0.22f, 0.42f);
  Colour body = chance (g, 0.45f) ? PICK (g, dark) : chance (g, 0.6f) ? PICK (g, wood) : PICK (g, plastic);
  Colour cone = PICK (g, dark), ring = chance (g, 0.5f) ? PICK (g, metal) : scaled (cone, 1.4f);
  float base = 0.0f;
  if (chance (g, 0.3f))  /* stand: a column on a plate, or spikes */
    {
      base = uniform (g, 0.15f, 0.6f);
      box (g, 0, 0.01f, 0, W * 1.1f, 0.02f, D * 1.1f, PICK (g, dark));
      box (g, 0, 0.5f * base, 0, 0.06f, base, 0.06f, PICK (g, dark));
      box (g, 0, base - 0.01f, 0, W * 0.9f, 0.02f, D * 0.9f, PICK (g, dark));
    }
  else if (chance (g, 0.3f))
    {
      base = 0.04f;
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          frustum (g, 'y', sx * 0.4f * W, 0.02f, sz * 0.4f * D, 0.0f, 0.03f, 0.04f, PICK (g, metal));
    }
  box (g, 0, base + 0.5f * H, 0, W, H, D, body);
  float zf = 0.5f * D;
  if (chance (g, 0.3f))  /* a cloth grille hides the drivers */
    {
      Colour cloth = chance (g, 0.7f) ? PICK (g, dark) : PICK (g, fabric);
      box (g, 0, base + 0.5f * H, zf + 0.006f, W * 0.94f, H * 0.96f, 0.012f, cloth);
      return;
    }
  if (wide)
    {
      float d = H * 0.7f;
      for (int s = -1; s <= 1; s += 2)
        driver (g, s * 0.3f * W, base + 0.5f * H, zf, d, cone, ring);
      driver (g, 0, base + 0.5f * H, zf, 0.35f * H, cone, ring);
      return;
    }
  int woofers = H > 0.7f ? integer (g, 1, 3) : 1;
  float d = MIN (W * uniform (g, 0.6f, 0.85f), (H * 0.7f) / (woofers + 0.6f));
  float y = base + 0.08f * H + 0.5f * d;
  for (int i = 0; i < woofers; i++, y += d * 1.08f)
    driver (g, 0, y, zf, d, cone, ring);
  float tw = MIN (0.28f * W, 0.06f);
  driver (g, 0, MIN (y - 0.54f * d + 0.7f * tw + 0.02f, base + H - 0.8f * tw), zf, tw, cone, ring);
  if (chance (g, 0.4f))  /* a bass port */
    disc_z (g, 0, base + 0.06f * H + 0.02f, zf + 0.002f, 0.1f * W, 0.01f, rgb (10, 10, 10));
}

/* ---- rifle ---- */

static void
gen_rifle (Gen *g)
{
  Colour metalc = chance (g, 0.7f) ? PICK (g, dark) : PICK (g, military);
  Colour stockc = chance (g, 0.45f) ? PICK (g, wood) : metalc;
  float rl = uniform (g, 0.22f, 0.34f), rh = uniform (g, 0.05f, 0.08f), rw = uniform (g, 0.03f, 0.045f);
  /* Receiver centred at z = 0, top at y = rh. */
  box (g, 0, 0.5f * rh, 0, rw, rh, rl, metalc);
  float bl = uniform (g, 0.3f, 0.5f), br = uniform (g, 0.008f, 0.014f);
  float z_muzzle = 0.5f * rl + bl;
  tube (g, 0, 0.65f * rh, 0.5f * rl - 0.01f, 0, 0.65f * rh, z_muzzle, br, metalc);
  if (chance (g, 0.75f))  /* handguard */
    {
      float hl = bl * uniform (g, 0.4f, 0.8f);
      box (g, 0, 0.55f * rh, 0.5f * rl + 0.5f * hl, rw * 1.1f, rh * uniform (g, 0.7f, 1.0f), hl, stockc);
    }
  box (g, 0, 0.65f * rh + 0.025f, z_muzzle - 0.03f, 0.01f, 0.03f, 0.01f, metalc);  /* front sight */
  /* Stock: a side profile tapering to the butt. */
  float sl = uniform (g, 0.25f, 0.36f), drop = uniform (g, 0.02f, 0.08f), butt = uniform (g, 0.1f, 0.15f);
  float z0 = -0.5f * rl, z1 = z0 - sl;
  if (chance (g, 0.2f))  /* skeleton stock */
    {
      tube (g, 0, 0.75f * rh, z0, 0, 0.75f * rh - drop, z1, 0.01f, metalc);
      tube (g, 0, 0.2f * rh, z0, 0, 0.75f * rh - drop - butt, z1, 0.01f, metalc);
      box (g, 0, 0.75f * rh - drop - 0.5f * butt, z1, rw, butt, 0.02f, metalc);
    }
  else
    {
      float zy[8] = { z1, 0.85f * rh - drop - butt, z0, 0.0f, z0, rh, z1, 0.85f * rh - drop };
      side_prism (g, 4, zy, 0, rw * 0.9f, stockc);
    }
  /* Pistol grip, magazine, trigger guard. */
  float gz = z0 + uniform (g, 0.02f, 0.08f);
  if (chance (g, 0.7f))
    box_rot (g, 0, -0.045f, gz + 0.015f, rw * 0.9f, 0.1f, 0.035f, -0.35f, 0, 0, stockc);
  if (chance (g, 0.75f))
    {
      float ml = uniform (g, 0.08f, 0.16f), curve = chance (g, 0.4f) ? uniform (g, 0.15f, 0.4f) : 0.0f;
      box_rot (g, 0, -0.5f * ml + 0.01f, gz + 0.1f + 0.3f * ml * curve, rw * 0.8f, ml, 0.04f, curve, 0, 0, metalc);
    }
  tube (g, 0, -0.015f, gz + 0.03f, 0, -0.015f, gz + 0.08f, 0.005f, metalc);
  if (chance (g, 0.5f))  /* scope */
    {
      float sl2 = uniform (g, 0.18f, 0.3f), sd = uniform (g, 0.025f, 0.04f), sy = rh + 0.035f;
      cylinder (g, 'z', 0, sy, 0, sd, sl2, metalc);
      frustum (g, 'z', 0, sy, 0.5f * sl2 + 0.02f, sd, sd * 1.4f, 0.04f, metalc);
      frustum (g, 'z', 0, sy, -0.5f * sl2 - 0.02f, sd * 1.3f, sd, 0.04f, metalc);
      for (int s = -1; s <= 1; s += 2)
        box (g, 0, rh + 0.015f, s * 0.25f * sl2, 0.015f, 0.03f, 0.015f, metalc);
    }
  else
    box (g, 0, rh + 0.012f, -0.02f, 0.01f, 0.025f, 0.02f, metalc);  /* rear sight */
  if (chance (g, 0.15f))  /* bipod */
    for (int s = -1; s <= 1; s += 2)
      tube (g, 0, 0.4f * rh, z_muzzle - 0.12f, s * 0.08f, -0.2f, z_muzzle - 0.06f, 0.006f, metalc);
}

/* ---- sofa ---- */

static void
gen_sofa (Gen *g)
{
  gboolean armchair = chance (g, 0.12f);
  float W = armchair ? uniform (g, 0.8f, 1.0f) : uniform (g, 1.4f, 2.4f), D = uniform (g, 0.75f, 0.95f);
  Colour cloth = PICK (g, fabric), cushion = scaled (cloth, uniform (g, 0.9f, 1.1f));
  float leg = chance (g, 0.6f) ? uniform (g, 0.05f, 0.15f) : 0.0f;
  float base_h = uniform (g, 0.15f, 0.28f), seat_t = uniform (g, 0.08f, 0.14f);
  float arm_w = chance (g, 0.1f) ? 0.0f : uniform (g, 0.1f, 0.25f), arm_h = uniform (g, 0.12f, 0.3f);
  float back_h = uniform (g, 0.3f, 0.5f), back_t = uniform (g, 0.15f, 0.25f);
  if (leg > 0)
    {
      Colour legc = (chance (g, 0.6f) ? PICK (g, wood) : PICK (g, dark));
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          frustum (g, 'y', sx * (0.5f * W - 0.06f), 0.5f * leg, sz * (0.5f * D - 0.06f), 0.035f, 0.05f, leg, legc);
    }
  float y_seat = leg + base_h;
  box (g, 0, leg + 0.5f * base_h, 0, W, base_h, D, cloth);
  /* Back along the rear, arms at the ends, cushions in between. */
  box (g, 0, y_seat + 0.5f * back_h, -0.5f * D + 0.5f * back_t, W, back_h, back_t, cloth);
  gboolean round_arms = chance (g, 0.3f);
  if (arm_w > 0)
    for (int s = -1; s <= 1; s += 2)
      {
        float x = s * (0.5f * W - 0.5f * arm_w);
        box (g, x, y_seat + 0.5f * arm_h, 0, arm_w, arm_h, D, cloth);
        if (round_arms)
          cylinder (g, 'z', x, y_seat + arm_h, 0, arm_w * 1.15f, D, cloth);
      }
  float inner = W - 2 * arm_w;
  int n = armchair ? 1 : inner > 1.6f ? 3 : integer (g, 1, 2);
  float cw = inner / n;
  for (int i = 0; i < n; i++)
    {
      float x = -0.5f * inner + (i + 0.5f) * cw;
      box (g, x, y_seat + 0.5f * seat_t, 0.5f * back_t, cw * 0.97f, seat_t, D - back_t, cushion);
      if (chance (g, 0.5f))
        box_rot (g, x, y_seat + seat_t + 0.45f * back_h, -0.5f * D + back_t + 0.06f, cw * 0.95f, back_h * 0.85f, 0.12f,
                 -0.15f, 0, 0, cushion);
    }
  if (!armchair && chance (g, 0.2f))  /* an L-shaped chaise on one side */
    {
      float s = chance (g, 0.5f) ? 1.0f : -1.0f, ext = uniform (g, 0.45f, 0.75f), cwid = uniform (g, 0.6f, 0.8f);
      float x = s * (0.5f * W - arm_w - 0.5f * cwid);
      box (g, x, leg + 0.5f * base_h, 0.5f * D + 0.5f * ext, cwid, base_h, ext, cloth);
      box (g, x, y_seat + 0.5f * seat_t, 0.5f * D + 0.5f * ext - 0.02f, cwid * 0.97f, seat_t, ext, cushion);
    }
}

/* ---- table ---- */

static void
gen_table (Gen *g)
{
  gboolean coffee = chance (g, 0.2f), round_top = chance (g, 0.3f);
  float W = round_top ? uniform (g, 0.7f, 1.3f) : uniform (g, 0.8f, 2.0f);
  float D = round_top ? W * (chance (g, 0.6f) ? 1.0f : uniform (g, 0.55f, 0.9f)) : W * uniform (g, 0.4f, 0.9f);
  float H = coffee ? uniform (g, 0.35f, 0.5f) : uniform (g, 0.68f, 0.78f), t = uniform (g, 0.025f, 0.07f);
  gboolean glass = chance (g, 0.1f);
  Colour topc = glass ? rgb (170, 200, 210) : chance (g, 0.75f) ? PICK (g, wood) : PICK (g, plastic);
  Colour legc = chance (g, 0.55f) ? (glass ? PICK (g, metal) : topc) : (chance (g, 0.5f) ? PICK (g, metal) : PICK (g,
    dark));
  if (round_top)  /* a disc, or an oval when D < W */
    {
      DvXform local = dv_xform_place (0, H - 0.5f * t, 0, W, t, D, 0, 0, 0);
      DvXform xf = in_frame (g, &local);
      dv_mesh_add_cylinder (g->mesh, &xf, 28, topc.rgb);
    }
  int legs = round_top ? (chance (g, 0.6f) ? 1 : 0) : (chance (g, 0.15f) ? 2 : 0);  /* 1 pedestal, 2 trestle,
    0 four legs */
  float lh = H - t;
  if (legs == 1)
    {
      float cd = uniform (g, 0.06f, 0.14f);
      cylinder (g, 'y', 0, 0.5f * lh, 0, cd, lh, legc);
      if (chance (g, 0.5f))
        cylinder (g, 'y', 0, 0.02f, 0, uniform (g, 0.35f, 0.6f) * W, 0.04f, legc);
      else
        for (int k = 0; k < 4; k++)
          box_rot (g, 0, 0.03f, 0, 0.5f * W, 0.05f, 0.06f, 0, PI_F / 4 + k * PI_F / 2, 0, legc);
    }
  else if (legs == 2)
    {
      float inset = uniform (g, 0.1f, 0.2f) * W;
      for (int s = -1; s <= 1; s += 2)
        {
          float x = s * (0.5f * W - inset);
          box (g, x, 0.5f * lh, 0, 0.06f, lh, D * 0.8f, legc);
          box (g, x, 0.03f, 0, 0.1f, 0.06f, D * 0.9f, legc);
        }
      box (g, 0, 0.35f * lh, 0, W * 0.6f, 0.06f, 0.05f, legc);
    }
  else
    {
      float lt = uniform (g, 0.035f, 0.09f), inset = uniform (g, 0.02f, 0.12f) * MIN (W, D);
      gboolean round_legs = chance (g, 0.4f);
      float hx = round_top ? 0.35f * W : 0.5f * W - 0.5f * lt - inset;
      float hz = round_top ? 0.35f * D : 0.5f * D - 0.5f * lt - inset;
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          {
            if (round_legs)
              frustum (g, 'y', sx * hx, 0.5f * lh, sz * hz, lt * 0.7f, lt, lh, legc);
            else
              box (g, sx * hx, 0.5f * lh, sz * hz, lt, lh, lt, legc);
          }
      if (!round_top && chance (g, 0.5f))  /* apron under the top */
        {
          float ah = uniform (g, 0.05f, 0.12f);
          slab (g, -hx, H - t - ah, hz - 0.01f, hx, H - t, hz + 0.01f, legc);
          slab (g, -hx, H - t - ah, -hz - 0.01f, hx, H - t, -hz + 0.01f, legc);
          slab (g, -hx - 0.01f, H - t - ah, -hz, -hx + 0.01f, H - t, hz, legc);
          slab (g, hx - 0.01f, H - t - ah, -hz, hx + 0.01f, H - t, hz, legc);
        }
      if (chance (g, 0.2f))  /* lower shelf */
        slab (g, -hx, 0.15f * lh, -hz, hx, 0.15f * lh + 0.025f, hz, topc);
    }
  if (!round_top)
    box (g, 0, H - 0.5f * t, 0, W, t, D, topc);
}

/* ---- telephone ---- */

static void
gen_telephone (Gen *g)
{
  int type = chance (g, 0.55f) ? 0 : chance (g, 0.5f) ? 1 : 2;  /* smartphone, keypad phone, desk phone */
  Colour body = chance (g, 0.3f)   ? PICK (g, dark)
                : chance (g, 0.4f) ? PICK (g, plastic)
                : chance (g, 0.6f) ? PICK (g, metal)
                                   : PICK (g, paint);
  Colour screenc = chance (g, 0.25f) ? PICK (g, lit_screen) : PICK (g, screen);
  Colour keyc = chance (g, 0.5f) ? PICK (g, plastic) : scaled (body, 1.3f);
  if (type == 0 || type == 1)
    {
      float W = uniform (g, 0.065f, 0.085f), H = W * uniform (g, 1.7f, 2.2f), T = type == 0 ? uniform (g, 0.007f,
        0.011f) : uniform (g, 0.013f, 0.02f);
      if (type == 1)
        H = W * uniform (g, 1.9f, 2.4f);
      box (g, 0, 0.5f * H, 0, W, H, T, body);
      float bz = uniform (g, 0.003f, 0.007f);
      float zf = 0.5f * T + 0.0008f;
      if (type == 0)
        {
          float top = uniform (g, 0.004f, 0.015f), bottom = uniform (g, 0.004f, 0.02f);
          box (g, 0, 0.5f * (bottom + H - top), zf, W - 2 * bz, H - top - bottom, 0.0015f, screenc);
          if (bottom > 0.012f)
            disc_z (g, 0, 0.5f * bottom, zf, 0.6f * bottom, 0.0015f, scaled (body, 0.7f));
          /* Camera bump on the back. */
          int lenses = integer (g, 1, 3);
          for (int i = 0; i < lenses; i++)
            {
              float x = -0.5f * W + 0.012f + (i % 2) * 0.012f, y = H - 0.012f - (i / 2) * 0.012f;
              disc_z (g, x, y, -0.5f * T - 0.001f, 0.009f, 0.002f, rgb (15, 15, 15));
            }
        }
      else
        {
          float sh = H * uniform (g, 0.3f, 0.4f);
          box (g, 0, H - bz - 0.5f * sh, zf, W - 3 * bz, sh, 0.0015f, screenc);
          float ky0 = 0.008f, ky1 = H - 2 * bz - sh - 0.01f;
          float kw = (W - 4 * bz) / 3, kh = (ky1 - ky0) / 5;
          for (int r = 0; r < 5; r++)
            for (int c = 0; c < 3; c++)
              box (g, -0.5f * W + 2 * bz + (c + 0.5f) * kw, ky0 + (r + 0.5f) * kh, zf, kw * 0.8f, kh * 0.7f, 0.002f,
                keyc);
          if (chance (g, 0.4f))  /* an antenna stub */
            cylinder (g, 'y', 0.3f * W, H + 0.01f, 0, 0.008f, 0.02f, body);
        }
      return;
    }
  /* Desk phone: a sloped base with a keypad and a handset lying across the top. */
  float W = uniform (g, 0.18f, 0.24f), D = uniform (g, 0.18f, 0.24f), hb = uniform (g, 0.04f, 0.06f), hf = uniform (g,
    0.02f, 0.035f);
  float zy[8] = { -0.5f * D, 0.0f, 0.5f * D, 0.0f, 0.5f * D, hf, -0.5f * D, hb };
  side_prism (g, 4, zy, 0, W, body);
  float slope = atanf ((hb - hf) / D);
  float kx0 = -0.35f * W, ky = 0.5f * (hb + hf);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 3; c++)
      box_rot (g, kx0 + 0.13f * W * c + 0.2f * W, ky + 0.004f + (r - 1.5f) * 0.018f * sinf (slope),
               0.1f * D - (r - 1.5f) * 0.018f * cosf (slope), 0.022f, 0.008f, 0.014f, slope, 0, 0, keyc);
  float hx = -0.3f * W, hl = D * 1.05f;
  box (g, hx, hb + 0.015f, 0, 0.035f, 0.02f, hl, body);
  for (int s = -1; s <= 1; s += 2)
    box (g, hx, hb + 0.01f, s * 0.42f * hl, 0.05f, 0.03f, 0.06f, body);
  if (chance (g, 0.6f))  /* a small display */
    box_rot (g, 0.1f * W, ky + 0.005f, -0.3f * D, 0.08f, 0.003f, 0.04f, slope, 0, 0, screenc);
}

/* ---- watercraft ---- */

static void
gen_watercraft (Gen *g)
{
  int type = integer (g, 0, 3);  /* sailboat, motorboat, ship, rowing boat */
  float L = 1.0f, B = type == 3 ? uniform (g, 0.16f, 0.25f) : uniform (g, 0.2f, 0.32f);
  float Hh = type == 2 ? uniform (g, 0.1f, 0.16f) : uniform (g, 0.07f, 0.12f);
  Colour hullc = PICK (g, hull), deck = chance (g, 0.5f) ? PICK (g, wood) : rgb (235, 235, 230);
  if (type == 2 && chance (g, 0.3f))
    hullc = rgb (120, 125, 130);
  /* Hull stations from stern (-z) to bow (+z): half-beam narrows to a point, sheer rises. */
  enum { N = 8 };
  float zs[N], w[N], bot[N], top[N];
  float transom = type == 3 ? uniform (g, 0.05f, 0.3f) : uniform (g, 0.6f, 0.9f);
  for (int s = 0; s < N; s++)
    {
      float u = (float) s / (N - 1);  /* 0 stern .. 1 bow */
      zs[s] = -0.5f * L + u * L;
      float belly = u < 0.5f ? transom + (1 - transom) * sinf (u * PI_F) : cosf ((u - 0.5f) * PI_F * 0.98f);
      if (type == 3)
        belly = sinf (PI_F * (0.04f + 0.92f * u));
      w[s] = 0.5f * B * MAX (belly, 0.02f);
      top[s] = Hh + 0.06f * u * u;
      bot[s] = -Hh * (u < 0.7f ? 1.0f : 1.0f - 2.0f * (u - 0.7f));
    }
  loft_z (g, N, zs, w, bot, top, 0.55f, hullc);
  /* Keep the deck flat and in its own colour: a plate over the widest part. */
  float dl = L * 0.6f;
  float ws = 0.9f * w[0], wf = 0.42f * B;  /* inside the hull at the stern and where the plate ends */
  float deck_xz[8] = { -ws, -0.5f * L + 0.04f, ws, -0.5f * L + 0.04f, wf, -0.5f * L + dl, -wf, -0.5f * L + dl };
  if (type != 3)
    top_plate (g, 4, deck_xz, Hh + 0.01f, 0.02f, deck);
  else
    {
      /* An open boat: show its inside as a wooden floor inset from the gunwale. */
      float outline[2 * 2 * N];
      for (int s = 0; s < N; s++)
        {
          outline[2 * s] = 0.8f * w[s];
          outline[2 * s + 1] = 0.95f * zs[s];
          outline[2 * (2 * N - 1 - s)] = -0.8f * w[s];
          outline[2 * (2 * N - 1 - s) + 1] = 0.95f * zs[s];
        }
      top_plate (g, 2 * N, outline, top[N / 2] - 0.005f, 0.02f, PICK (g, wood));
    }
  switch (type)
    {
    case 0:  /* sailboat: mast, main sail and jib */
      {
        float mh = uniform (g, 0.7f, 1.1f), mz = uniform (g, 0.0f, 0.15f);
        tube (g, 0, Hh, mz, 0, Hh + mh, mz, 0.008f, PICK (g, metal));
        Colour sail = chance (g, 0.8f) ? rgb (245, 245, 240) : PICK (g, paint);
        float boom = uniform (g, 0.3f, 0.45f);
        float zy[6] = { mz - 0.01f, Hh + 0.06f, mz - 0.01f, Hh + mh * 0.97f, mz - boom, Hh + 0.06f };
        side_prism (g, 3, zy, 0, 0.006f, sail);
        if (chance (g, 0.7f))
          {
            float jz = 0.42f * L;
            float jy[6] = { mz + 0.01f, Hh + 0.05f, jz, Hh + 0.08f, mz + 0.01f, Hh + mh * 0.85f };
            side_prism (g, 3, jy, 0, 0.006f, sail);
          }
        box (g, 0, Hh + 0.04f, -0.1f, 0.5f * B, 0.05f, 0.2f, deck);
        break;
      }
    case 1:  /* motorboat: cabin with a raked windscreen */
      {
        float cz = uniform (g, -0.05f, 0.1f), cl = uniform (g, 0.2f, 0.35f), ch = uniform (g, 0.06f, 0.1f);
        box (g, 0, Hh + 0.5f * ch, cz - 0.5f * cl, 0.7f * B, ch, cl, rgb (240, 240, 240));
        DvXform ws = dv_xform_place (0, Hh + 0.5f * ch, cz + 0.05f, 0.7f * B, ch, 0.1f, 0, 0, 0);
        DvXform xf = in_frame (g, &ws);
        dv_mesh_add_wedge (g->mesh, &xf, (guint8[3]) { 40, 50, 65 });
        if (chance (g, 0.6f))
          box (g, 0, Hh + 0.01f, -0.5f * L - 0.02f, 0.1f, 0.1f, 0.05f, PICK (g, dark));
        break;
      }
    case 2:  /* ship: stacked decks, a bridge and funnels */
      {
        int levels = integer (g, 1, 3);
        float sz = uniform (g, -0.25f, 0.05f), sl = uniform (g, 0.2f, 0.45f), sw = 0.75f * B, y = Hh;
        Colour superc = chance (g, 0.7f) ? rgb (240, 240, 240) : hullc;
        for (int i = 0; i < levels; i++)
          {
            float lh = uniform (g, 0.05f, 0.08f);
            box (g, 0, y + 0.5f * lh, sz, sw, lh, sl, superc);
            box (g, 0, y + 0.6f * lh, sz + 0.5f * sl + 0.001f, sw * 0.9f, 0.2f * lh, 0.004f, rgb (30, 40, 55));
            y += lh;
            sl *= 0.75f;
            sw *= 0.9f;
          }
        int funnels = integer (g, 0, 2);
        Colour fc = PICK (g, paint);
        for (int f = 0; f < funnels; f++)
          cylinder (g, 'y', 0, y + 0.05f, sz - 0.1f - 0.08f * f, 0.05f, 0.1f, fc);
        if (chance (g, 0.4f))  /* containers on the fore deck */
          for (int i = 0; i < 3; i++)
            box (g, 0, Hh + 0.03f, 0.12f + 0.09f * i, 0.7f * B, 0.06f, 0.08f, PICK (g, paint));
        tube (g, 0, y, sz, 0, y + uniform (g, 0.1f, 0.2f), sz, 0.006f, PICK (g, metal));
        break;
      }
    default:  /* rowing boat: thwarts across */
      {
        int thwarts = integer (g, 1, 3);
        for (int i = 0; i < thwarts; i++)
          box (g, 0, 0.6f * Hh, -0.2f + 0.2f * i, 0.8f * B, 0.015f, 0.05f, PICK (g, wood));
        if (chance (g, 0.5f))
          for (int s = -1; s <= 1; s += 2)
            tube (g, s * 0.4f * B, Hh, 0.0f, s * 0.9f * B, -0.02f, -0.3f, 0.006f, PICK (g, wood));
        break;
      }
    }
}

typedef void (*GeneratorFunc) (Gen *g);

static const GeneratorFunc generators[DV_N_OBJECT_CLASSES] = {
  gen_airplane, gen_bench, gen_cabinet, gen_car, gen_chair, gen_display, gen_lamp,
  gen_loudspeaker, gen_rifle, gen_sofa, gen_table, gen_telephone, gen_watercraft,
};

void
dv_object_generate (int class_index, DvRng *rng, DvMesh *mesh)
{
  DV_CHECK (class_index >= 0 && class_index < DV_N_OBJECT_CLASSES, "dv_object_generate: class %d out of range",
            class_index);
  Gen g = { mesh, rng, dv_xform_identity () };
  generators[class_index](&g);
}
