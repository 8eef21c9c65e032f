#include "views/objects/parts.h"

static void
handle (DvObjectBuilder *g, float x, float y, float z, gboolean vertical, gboolean knob, Colour c)
{
  if (knob)
    disc_z (g, x, y, z + 0.012f, 0.04f, 0.025f, c);
  else if (vertical)
    box (g, x, y, z + 0.012f, 0.022f, 0.14f, 0.02f, c);
  else
    box (g, x, y, z + 0.012f, 0.14f, 0.022f, 0.02f, c);
}

void
dv_object_cabinet_generate (DvObjectBuilder *g)
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
