#include "views/objects/parts.h"

static void
driver (DvObjectBuilder *g, float x, float y, float z, float d, Colour cone, Colour ring)
{
  disc_z (g, x, y, z + 0.004f, d, 0.008f, ring);
  disc_z (g, x, y, z + 0.01f, d * 0.82f, 0.008f, cone);
  ellipsoid (g, x, y, z + 0.012f, d * 0.25f, d * 0.25f, d * 0.12f, scaled (cone, 1.8f));
}

void
dv_object_loudspeaker_generate (DvObjectBuilder *g)
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
