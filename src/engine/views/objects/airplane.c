#include "views/objects/parts.h"

void
dv_object_airplane_generate (DvObjectBuilder *g)
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
