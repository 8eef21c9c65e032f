#include "views/objects/parts.h"

void
dv_object_table_generate (DvObjectBuilder *g)
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
