#include "views/objects/parts.h"

void
dv_object_telephone_generate (DvObjectBuilder *g)
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
