#include "views/objects/parts.h"

void
dv_object_car_generate (DvObjectBuilder *g)
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
