#include "views/objects/parts.h"

void
dv_object_display_generate (DvObjectBuilder *g)
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
