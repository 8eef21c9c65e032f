#include "views/objects/parts.h"

void
dv_object_rifle_generate (DvObjectBuilder *g)
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
