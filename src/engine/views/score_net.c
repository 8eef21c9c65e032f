#include "views/score_net.h"

#include "nn/gelu.h"
#include "nn/group_norm.h"
#include "nn/linear.h"
#include "nn/linear_bf16.h"
#include "nn/silu.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define GN_EPS 1e-5f

void
dv_score_net_config_init (DvScoreNetConfig *config)
{
  config->n_views = 4;
  config->latent_dim = 64;
  /* Measured here (2 shared cores, batch 256, `dimvida views bench-score`): a training step takes 68–180 ms at
   * width 256, 102–150 ms at 384, 205–246 ms at 512 — every width trains ≥ 9 epochs of split d per minute — but
   * generating 3 views from 1 with 250 Euler–Maruyama steps, decoded, takes 50–70 ms in process at 256,
   * 170–400 ms at 384 and 570–1000 ms at 512 (the whole `views generate` process: 0.14, 0.30, 0.78 s at best):
   * 384 is the largest that keeps generation within the 0.5 s. 256 is too narrow: with no path from x_t
   * to ε̂ around the blocks, a network as wide as the 4 × 64 latent cannot carry the noise of several missing
   * views (loss at t = 0.9 with none given 0.205 against 0.036 at 384; 1 given: 5.1 dB), docs/results.md. */
  config->width = 384;
  config->time_dim = 128;
  config->levels = 2;
  config->groups = 32;
}

gboolean
dv_score_net_config_check (const DvScoreNetConfig *c, GError **error)
{
  if (c->n_views < 2 || c->n_views > 8)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The score network models 2 to 8 views, not %d", c->n_views);
  else if (c->latent_dim < 1 || c->latent_dim > 4096)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The latent size must be 1 to 4096, not %d", c->latent_dim);
  else if (c->groups < 1 || c->width < c->groups || c->width % c->groups != 0 || c->width > 8192)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID,
                 "The width (%d) must be a multiple of the GroupNorm groups (%d), at most 8192", c->width,
                 c->groups);
  else if (c->time_dim < 1 || c->time_dim > 8192)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The time embedding size must be 1 to 8192, not %d",
                 c->time_dim);
  else if (c->levels < 1 || c->levels > DV_SCORE_NET_MAX_LEVELS)
    g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "The network has 1 to %d levels, not %d",
                 DV_SCORE_NET_MAX_LEVELS, c->levels);
  else
    return TRUE;
  return FALSE;
}

/* One list of the config's members serves both JSON directions. */
#define SCORE_NET_CONFIG_FIELDS(X) \
  X (n_views) X (latent_dim) X (width) X (time_dim) X (levels) X (groups)

char *
dv_score_net_config_to_json (const DvScoreNetConfig *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
#define WRITE_FIELD(name) json_builder_set_member_name (b, #name); json_builder_add_int_value (b, c->name);
  SCORE_NET_CONFIG_FIELDS (WRITE_FIELD)
#undef WRITE_FIELD
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gboolean
dv_score_net_config_from_json (DvScoreNetConfig *c, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "The score network's config is not a JSON object");
      return FALSE;
    }
  JsonObject *o = json_node_get_object (root);
  DvScoreNetConfig read;
  dv_score_net_config_init (&read);
#define READ_FIELD(name) \
  if (json_object_has_member (o, #name)) \
    { \
      JsonNode *n = json_object_get_member (o, #name); \
      if (json_node_get_value_type (n) != G_TYPE_INT64) \
        { \
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "The score network's “%s” must be an integer", #name); \
          return FALSE; \
        } \
      read.name = (int) CLAMP (json_node_get_int (n), G_MININT, G_MAXINT); \
    }
  SCORE_NET_CONFIG_FIELDS (READ_FIELD)
#undef READ_FIELD
  if (!dv_score_net_config_check (&read, error))
    return FALSE;
  *c = read;
  return TRUE;
}

static void
add_norm (DvParams *p, const char *name, int channels, size_t *weight, size_t *bias)
{
  g_autofree char *w = g_strdup_printf ("%s.weight", name), *b = g_strdup_printf ("%s.bias", name);
  *weight = dv_params_add (p, w, 1, &channels);
  *bias = dv_params_add (p, b, 1, &channels);
}

static void
add_res_block (DvScoreResBlock *k, DvParams *p, const char *prefix, int in, int out, int time_dim)
{
  memset (k, 0, sizeof *k);
  k->in = in;
  k->out = out;
  g_autofree char *n1 = g_strdup_printf ("%s.block1.norm", prefix), *p1 = g_strdup_printf ("%s.block1.proj", prefix);
  g_autofree char *t = g_strdup_printf ("%s.time", prefix);
  g_autofree char *n2 = g_strdup_printf ("%s.block2.norm", prefix), *p2 = g_strdup_printf ("%s.block2.proj", prefix);
  g_autofree char *s = g_strdup_printf ("%s.skip", prefix);
  add_norm (p, n1, in, &k->norm1_weight, &k->norm1_bias);
  dv_linear_add_params (p, p1, in, out, &k->proj1_weight, &k->proj1_bias);
  dv_linear_add_params (p, t, time_dim, out, &k->time_weight, &k->time_bias);
  add_norm (p, n2, out, &k->norm2_weight, &k->norm2_bias);
  dv_linear_add_params (p, p2, out, out, &k->proj2_weight, &k->proj2_bias);
  k->has_skip = in != out;
  if (k->has_skip)
    dv_linear_add_params (p, s, in, out, &k->skip_weight, &k->skip_bias);
}

DvScoreNet *
dv_score_net_new (const DvScoreNetConfig *config)
{
  GError *error = NULL;
  if (!dv_score_net_config_check (config, &error))
    dv_fatal ("dv_score_net_new: %s", error->message);
  DvScoreNet *net = g_new0 (DvScoreNet, 1);
  net->config = *config;
  const int V = config->n_views, D = V * config->latent_dim, W = config->width, T = config->time_dim;
  DvParams *p = &net->params;
  dv_params_init (p);
  dv_linear_add_params (p, "time_mlp.0", V, T, &net->time1_weight, &net->time1_bias);
  dv_linear_add_params (p, "time_mlp.2", T, T, &net->time2_weight, &net->time2_bias);
  dv_linear_add_params (p, "init", D, W, &net->init_weight, &net->init_bias);
  int k = 0;
  for (int i = 0; i < config->levels; i++)
    {
      g_autofree char *res = g_strdup_printf ("downs.%d.res", i), *down = g_strdup_printf ("downs.%d.down", i);
      add_res_block (&net->blocks[k++], p, res, W, W, T);
      dv_linear_add_params (p, down, W, W, &net->down_weight[i], &net->down_bias[i]);
    }
  add_res_block (&net->blocks[k++], p, "mid.0", W, W, T);
  add_res_block (&net->blocks[k++], p, "mid.1", W, W, T);
  for (int j = 0; j < config->levels; j++)
    {
      g_autofree char *res = g_strdup_printf ("ups.%d.res", j), *up = g_strdup_printf ("ups.%d.up", j);
      add_res_block (&net->blocks[k++], p, res, 2 * W, W, T);
      dv_linear_add_params (p, up, W, W, &net->up_weight[j], &net->up_bias[j]);
    }
  add_res_block (&net->blocks[k++], p, "final_res", 2 * W, W, T);
  add_norm (p, "final_norm", W, &net->final_norm_weight, &net->final_norm_bias);
  dv_linear_add_params (p, "final", W, D, &net->final_weight, &net->final_bias);
  net->n_blocks = k;
  dv_params_alloc (p);
  return net;
}

void
dv_score_net_free (DvScoreNet *net)
{
  if (net == NULL)
    return;
  dv_params_clear (&net->params);
  g_free (net);
}

void
dv_score_net_init_weights (DvScoreNet *net, guint64 seed)
{
  DvRng rng;
  dv_rng_init (&rng, seed);
  float *P = net->params.data;
  /* Every Linear as PyTorch's default, in registration order; norms 1 / 0. */
  for (guint i = 0; i < dv_params_n_tensors (&net->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&net->params, i);
      if (info->ndim == 2)
        {
          const DvParamInfo *bias = dv_params_info (&net->params, i + 1);
          dv_linear_init_params (P + info->offset, P + bias->offset, info->shape[1], info->shape[0], &rng);
        }
      else if (g_str_has_suffix (info->name, "norm.weight") || g_str_equal (info->name, "final_norm.weight"))
        for (size_t j = 0; j < info->numel; j++)
          P[info->offset + j] = 1.0f;
    }
  /* MLD zero-initialises the output layer: the untrained network says ε̂ = 0. */
  const int D = net->config.n_views * net->config.latent_dim;
  memset (P + net->final_weight, 0, sizeof (float) * (size_t) D * net->config.width);
  memset (P + net->final_bias, 0, sizeof (float) * (size_t) D);
}

/* ---- buffers ---- */

typedef struct {
  const float *x;  /* the block's input [B][in] */
  float *dx;       /* where its gradient accumulates */
  float *n1, *m1, *r1, *s1, *h1, *n2, *m2, *r2, *s2, *out;
  float *dn1, *ds1, *dh1, *dn2, *ds2, *dout;
} BlockBuf;

struct DvScoreNetBuffers {
  int batch;
  const float *x, *tau;  /* the forward's inputs, read again by the backward */
  float *forward, *backward;
  DvBf16 *inp_bf16;  /* a Linear input rounded to BF16 (dv_score_net_forward_bf16) */
  size_t forward_size, backward_size;
  float *time_pre, *time_gelu, *temb, *temb_silu, *r;
  float *down_out[DV_SCORE_NET_MAX_LEVELS], *up_out[DV_SCORE_NET_MAX_LEVELS], *cat_up[DV_SCORE_NET_MAX_LEVELS];
  float *cat_final, *fn, *fm, *fr, *fs;
  float *d_time_pre, *d_time_gelu, *d_temb, *d_temb_silu, *d_r;
  float *d_down_out[DV_SCORE_NET_MAX_LEVELS], *d_up_out[DV_SCORE_NET_MAX_LEVELS], *d_cat_up[DV_SCORE_NET_MAX_LEVELS];
  float *d_cat_final, *d_fn, *d_fs;
  BlockBuf blocks[2 * DV_SCORE_NET_MAX_LEVELS + 3];
};

/* Carves buffers from one region; with base NULL it only counts. */
typedef struct {
  float *base;
  size_t used;
} Arena;

static float *
take (Arena *a, size_t n)
{
  float *p = a->base != NULL ? a->base + a->used : NULL;
  a->used += (n + 15) & ~(size_t) 15;  /* 64-byte steps */
  return p;
}

static void
layout (DvScoreNetBuffers *buf, const DvScoreNet *net, Arena *fw, Arena *bw)
{
  const DvScoreNetConfig *c = &net->config;
  const size_t B = (size_t) buf->batch, W = c->width, T = c->time_dim, G = c->groups;
  const size_t D = (size_t) c->n_views * c->latent_dim;
  buf->time_pre = take (fw, B * T);
  buf->time_gelu = take (fw, B * T);
  buf->temb = take (fw, B * T);
  buf->temb_silu = take (fw, B * T);
  buf->r = take (fw, B * W);
  buf->d_time_pre = take (bw, B * T);
  buf->d_time_gelu = take (bw, B * T);
  buf->d_temb = take (bw, B * T);
  buf->d_temb_silu = take (bw, B * T);
  buf->d_r = take (bw, B * W);
  for (int i = 0; i < c->levels; i++)
    {
      buf->down_out[i] = take (fw, B * W);
      buf->up_out[i] = take (fw, B * W);
      buf->cat_up[i] = take (fw, B * 2 * W);
      buf->d_down_out[i] = take (bw, B * W);
      buf->d_up_out[i] = take (bw, B * W);
      buf->d_cat_up[i] = take (bw, B * 2 * W);
    }
  buf->cat_final = take (fw, B * 2 * W);
  buf->fn = take (fw, B * W);
  buf->fm = take (fw, B * G);
  buf->fr = take (fw, B * G);
  buf->fs = take (fw, B * W);
  buf->d_cat_final = take (bw, B * 2 * W);
  buf->d_fn = take (bw, B * W);
  buf->d_fs = take (bw, B * W);
  (void) D;
  for (int k = 0; k < net->n_blocks; k++)
    {
      BlockBuf *b = &buf->blocks[k];
      const size_t in = net->blocks[k].in, out = net->blocks[k].out;
      b->n1 = take (fw, B * in);
      b->m1 = take (fw, B * G);
      b->r1 = take (fw, B * G);
      b->s1 = take (fw, B * in);
      b->h1 = take (fw, B * out);
      b->n2 = take (fw, B * out);
      b->m2 = take (fw, B * G);
      b->r2 = take (fw, B * G);
      b->s2 = take (fw, B * out);
      b->out = take (fw, B * out);
      b->dn1 = take (bw, B * in);
      b->ds1 = take (bw, B * in);
      b->dh1 = take (bw, B * out);
      b->dn2 = take (bw, B * out);
      b->ds2 = take (bw, B * out);
      b->dout = take (bw, B * out);
    }
}

DvScoreNetBuffers *
dv_score_net_buffers_new (const DvScoreNet *net, int batch)
{
  DV_CHECK (batch >= 1, "dv_score_net_buffers_new: batch %d", batch);
  DvScoreNetBuffers *buf = g_new0 (DvScoreNetBuffers, 1);
  buf->batch = batch;
  Arena fw = { NULL, 0 }, bw = { NULL, 0 };
  layout (buf, net, &fw, &bw);
  buf->forward_size = fw.used;
  buf->backward_size = bw.used;
  buf->forward = dv_alloc_floats (fw.used);
  buf->backward = dv_alloc_floats (bw.used);
  fw = (Arena) { buf->forward, 0 };
  bw = (Arena) { buf->backward, 0 };
  layout (buf, net, &fw, &bw);
  const DvScoreNetConfig *c = &net->config;
  const int widest = MAX (MAX (2 * c->width, c->n_views * c->latent_dim), MAX (c->time_dim, c->n_views));
  buf->inp_bf16 = dv_bf16_alloc ((size_t) batch * widest);
  /* Each block's input and its gradient, as the forward wires them. */
  const int L = net->config.levels;
  for (int i = 0; i < L; i++)
    {
      buf->blocks[i].x = i == 0 ? buf->r : buf->down_out[i - 1];
      buf->blocks[i].dx = i == 0 ? buf->d_r : buf->d_down_out[i - 1];
    }
  buf->blocks[L].x = buf->down_out[L - 1];
  buf->blocks[L].dx = buf->d_down_out[L - 1];
  buf->blocks[L + 1].x = buf->blocks[L].out;
  buf->blocks[L + 1].dx = buf->blocks[L].dout;
  for (int j = 0; j < L; j++)
    {
      buf->blocks[L + 2 + j].x = buf->cat_up[j];
      buf->blocks[L + 2 + j].dx = buf->d_cat_up[j];
    }
  buf->blocks[2 * L + 2].x = buf->cat_final;
  buf->blocks[2 * L + 2].dx = buf->d_cat_final;
  return buf;
}

void
dv_score_net_buffers_free (DvScoreNetBuffers *buf)
{
  if (buf == NULL)
    return;
  dv_free_floats (buf->forward);
  dv_free_floats (buf->backward);
  dv_bf16_free (buf->inp_bf16);
  g_free (buf);
}

int
dv_score_net_buffers_batch (const DvScoreNetBuffers *buf)
{
  return buf->batch;
}

/* ---- forward and backward ---- */

/* The weights a forward reads: F32 (Pb NULL) or the Linear weights' BF16 copy. */
typedef struct {
  const float *P;
  const DvBf16 *Pb;
  DvBf16 *inp_bf16;
} Weights;

static void
linear (const Weights *w, float *out, const float *inp, size_t weight, size_t bias, int B, int C, int OC)
{
  if (w->Pb != NULL)
    dv_linear_bf16_forward (out, inp, w->inp_bf16, w->Pb + weight, w->P + bias, B, C, OC);
  else
    dv_linear_forward (out, inp, w->P + weight, w->P + bias, B, C, OC);
}

static void
linear_residual (const Weights *w, float *out, const float *residual, const float *inp, size_t weight, size_t bias,
                 int B, int C, int OC)
{
  if (w->Pb != NULL)
    dv_linear_bf16_forward_residual (out, residual, inp, w->inp_bf16, w->Pb + weight, w->P + bias, B, C, OC);
  else
    dv_linear_forward_residual (out, residual, inp, w->P + weight, w->P + bias, B, C, OC);
}

static void
res_forward (const DvScoreResBlock *k, const Weights *w, BlockBuf *b, const float *temb_silu, int B, int T, int G)
{
  const float *P = w->P;
  const int in = k->in, out = k->out;
  dv_group_norm_forward (b->n1, b->m1, b->r1, b->x, P + k->norm1_weight, P + k->norm1_bias, B, in, 1, G, GN_EPS);
  dv_silu_forward (b->s1, b->n1, (size_t) B * in);
  linear (w, b->h1, b->s1, k->proj1_weight, k->proj1_bias, B, in, out);
  linear_residual (w, b->h1, b->h1, temb_silu, k->time_weight, k->time_bias, B, T, out);
  dv_group_norm_forward (b->n2, b->m2, b->r2, b->h1, P + k->norm2_weight, P + k->norm2_bias, B, out, 1, G, GN_EPS);
  dv_silu_forward (b->s2, b->n2, (size_t) B * out);
  if (k->has_skip)
    {
      linear (w, b->out, b->x, k->skip_weight, k->skip_bias, B, in, out);
      linear_residual (w, b->out, b->out, b->s2, k->proj2_weight, k->proj2_bias, B, out, out);
    }
  else
    linear_residual (w, b->out, b->x, b->s2, k->proj2_weight, k->proj2_bias, B, out, out);
}

/* From b->dout: b->dx += ∂L/∂x, d_temb_silu += ∂L/∂SiLU(time), grads += the block's. */
static void
res_backward (const DvScoreResBlock *k, const float *P, float *Gr, BlockBuf *b, const float *temb_silu,
              float *d_temb_silu, int B, int T, int G)
{
  const int in = k->in, out = k->out;
  const size_t n_out = (size_t) B * out;
  dv_linear_backward (b->ds2, Gr + k->proj2_weight, Gr + k->proj2_bias, b->dout, b->s2, P + k->proj2_weight, B, out,
                      out);
  if (k->has_skip)
    dv_linear_backward (b->dx, Gr + k->skip_weight, Gr + k->skip_bias, b->dout, b->x, P + k->skip_weight, B, in,
                        out);
  else
    for (size_t i = 0; i < n_out; i++)
      b->dx[i] += b->dout[i];
  dv_silu_backward (b->dn2, b->ds2, b->n2, n_out);
  dv_group_norm_backward (b->dh1, Gr + k->norm2_weight, Gr + k->norm2_bias, b->dn2, b->h1, b->m2, b->r2,
                          P + k->norm2_weight, B, out, 1, G);
  dv_linear_backward (d_temb_silu, Gr + k->time_weight, Gr + k->time_bias, b->dh1, temb_silu, P + k->time_weight, B,
                      T, out);
  dv_linear_backward (b->ds1, Gr + k->proj1_weight, Gr + k->proj1_bias, b->dh1, b->s1, P + k->proj1_weight, B, in,
                      out);
  dv_silu_backward (b->dn1, b->ds1, b->n1, (size_t) B * in);
  dv_group_norm_backward (b->dx, Gr + k->norm1_weight, Gr + k->norm1_bias, b->dn1, b->x, b->m1, b->r1,
                          P + k->norm1_weight, B, in, 1, G);
}

/* cat[b] = [left[b], right[b]], each W wide. */
static void
concat_rows (float *cat, const float *left, const float *right, int B, int W)
{
  for (int b = 0; b < B; b++)
    {
      memcpy (cat + (size_t) b * 2 * W, left + (size_t) b * W, sizeof (float) * W);
      memcpy (cat + (size_t) b * 2 * W + W, right + (size_t) b * W, sizeof (float) * W);
    }
}

/* left += dcat[b][0:W], right += dcat[b][W:2W]. */
static void
split_rows_add (float *left, float *right, const float *dcat, int B, int W)
{
  for (int b = 0; b < B; b++)
    for (int i = 0; i < W; i++)
      {
        left[(size_t) b * W + i] += dcat[(size_t) b * 2 * W + i];
        right[(size_t) b * W + i] += dcat[(size_t) b * 2 * W + W + i];
      }
}

static void
forward (const DvScoreNet *net, const Weights *w, DvScoreNetBuffers *buf, float *eps_hat, const float *x,
         const float *tau)
{
  const DvScoreNetConfig *c = &net->config;
  const int B = buf->batch, V = c->n_views, D = V * c->latent_dim, W = c->width, T = c->time_dim, G = c->groups;
  const int L = c->levels;
  const float *P = w->P;
  buf->x = x;
  buf->tau = tau;
  linear (w, buf->time_pre, tau, net->time1_weight, net->time1_bias, B, V, T);
  dv_gelu_forward (buf->time_gelu, buf->time_pre, (size_t) B * T);
  linear (w, buf->temb, buf->time_gelu, net->time2_weight, net->time2_bias, B, T, T);
  dv_silu_forward (buf->temb_silu, buf->temb, (size_t) B * T);
  linear (w, buf->r, x, net->init_weight, net->init_bias, B, D, W);
  for (int i = 0; i < L; i++)
    {
      res_forward (&net->blocks[i], w, &buf->blocks[i], buf->temb_silu, B, T, G);
      linear (w, buf->down_out[i], buf->blocks[i].out, net->down_weight[i], net->down_bias[i], B, W, W);
    }
  res_forward (&net->blocks[L], w, &buf->blocks[L], buf->temb_silu, B, T, G);
  res_forward (&net->blocks[L + 1], w, &buf->blocks[L + 1], buf->temb_silu, B, T, G);
  const float *h = buf->blocks[L + 1].out;
  for (int j = 0; j < L; j++)
    {
      const int k = L + 2 + j;
      concat_rows (buf->cat_up[j], h, buf->blocks[L - 1 - j].out, B, W);
      res_forward (&net->blocks[k], w, &buf->blocks[k], buf->temb_silu, B, T, G);
      linear (w, buf->up_out[j], buf->blocks[k].out, net->up_weight[j], net->up_bias[j], B, W, W);
      h = buf->up_out[j];
    }
  const int f = 2 * L + 2;
  concat_rows (buf->cat_final, h, buf->r, B, W);
  res_forward (&net->blocks[f], w, &buf->blocks[f], buf->temb_silu, B, T, G);
  dv_group_norm_forward (buf->fn, buf->fm, buf->fr, buf->blocks[f].out, P + net->final_norm_weight,
                         P + net->final_norm_bias, B, W, 1, G, GN_EPS);
  dv_silu_forward (buf->fs, buf->fn, (size_t) B * W);
  linear (w, eps_hat, buf->fs, net->final_weight, net->final_bias, B, W, D);
}

void
dv_score_net_forward (const DvScoreNet *net, const float *P, DvScoreNetBuffers *buf, float *eps_hat, const float *x,
                      const float *tau)
{
  const Weights w = { P, NULL, NULL };
  forward (net, &w, buf, eps_hat, x, tau);
}

DvBf16 *
dv_score_net_bf16_weights_new (const DvScoreNet *net, const float *P)
{
  DvBf16 *Pb = dv_bf16_alloc (net->params.count);
  /* Only the Linear weights (2D tensors) are read in BF16: biases and GroupNorm's affine stay F32. */
  for (guint i = 0; i < dv_params_n_tensors (&net->params); i++)
    {
      const DvParamInfo *info = dv_params_info (&net->params, i);
      if (info->ndim == 2)
        dv_bf16_from_floats (Pb + info->offset, P + info->offset, info->numel);
    }
  return Pb;
}

void
dv_score_net_forward_bf16 (const DvScoreNet *net, const float *P, const DvBf16 *Pb, DvScoreNetBuffers *buf,
                           float *eps_hat, const float *x, const float *tau)
{
  DV_CHECK (Pb != NULL, "dv_score_net_forward_bf16: no BF16 weights");
  const Weights w = { P, Pb, buf->inp_bf16 };
  forward (net, &w, buf, eps_hat, x, tau);
}

void
dv_score_net_backward (const DvScoreNet *net, const float *P, float *Gr, DvScoreNetBuffers *buf,
                       const float *deps_hat)
{
  const DvScoreNetConfig *c = &net->config;
  const int B = buf->batch, V = c->n_views, D = V * c->latent_dim, W = c->width, T = c->time_dim, G = c->groups;
  const int L = c->levels, f = 2 * L + 2;
  memset (buf->backward, 0, sizeof (float) * buf->backward_size);
  dv_linear_backward (buf->d_fs, Gr + net->final_weight, Gr + net->final_bias, deps_hat, buf->fs,
                      P + net->final_weight, B, W, D);
  dv_silu_backward (buf->d_fn, buf->d_fs, buf->fn, (size_t) B * W);
  dv_group_norm_backward (buf->blocks[f].dout, Gr + net->final_norm_weight, Gr + net->final_norm_bias, buf->d_fn,
                          buf->blocks[f].out, buf->fm, buf->fr, P + net->final_norm_weight, B, W, 1, G);
  res_backward (&net->blocks[f], P, Gr, &buf->blocks[f], buf->temb_silu, buf->d_temb_silu, B, T, G);
  float *d_h = L > 0 ? buf->d_up_out[L - 1] : NULL;
  split_rows_add (d_h, buf->d_r, buf->d_cat_final, B, W);
  for (int j = L - 1; j >= 0; j--)
    {
      const int k = L + 2 + j;
      dv_linear_backward (buf->blocks[k].dout, Gr + net->up_weight[j], Gr + net->up_bias[j], buf->d_up_out[j],
                          buf->blocks[k].out, P + net->up_weight[j], B, W, W);
      res_backward (&net->blocks[k], P, Gr, &buf->blocks[k], buf->temb_silu, buf->d_temb_silu, B, T, G);
      float *d_prev = j > 0 ? buf->d_up_out[j - 1] : buf->blocks[L + 1].dout;
      split_rows_add (d_prev, buf->blocks[L - 1 - j].dout, buf->d_cat_up[j], B, W);
    }
  res_backward (&net->blocks[L + 1], P, Gr, &buf->blocks[L + 1], buf->temb_silu, buf->d_temb_silu, B, T, G);
  res_backward (&net->blocks[L], P, Gr, &buf->blocks[L], buf->temb_silu, buf->d_temb_silu, B, T, G);
  for (int i = L - 1; i >= 0; i--)
    {
      dv_linear_backward (buf->blocks[i].dout, Gr + net->down_weight[i], Gr + net->down_bias[i], buf->d_down_out[i],
                          buf->blocks[i].out, P + net->down_weight[i], B, W, W);
      res_backward (&net->blocks[i], P, Gr, &buf->blocks[i], buf->temb_silu, buf->d_temb_silu, B, T, G);
    }
  /* x and τ are data: no input gradients. */
  dv_linear_backward (NULL, Gr + net->init_weight, Gr + net->init_bias, buf->d_r, buf->x, P + net->init_weight, B, D,
                      W);
  dv_silu_backward (buf->d_temb, buf->d_temb_silu, buf->temb, (size_t) B * T);
  dv_linear_backward (buf->d_time_gelu, Gr + net->time2_weight, Gr + net->time2_bias, buf->d_temb, buf->time_gelu,
                      P + net->time2_weight, B, T, T);
  dv_gelu_backward (buf->d_time_pre, buf->d_time_gelu, buf->time_pre, (size_t) B * T);
  dv_linear_backward (NULL, Gr + net->time1_weight, Gr + net->time1_bias, buf->d_time_pre, buf->tau,
                      P + net->time1_weight, B, V, T);
}
