#include "nn/conv2d_dnnl.h"

#include <dnnl.h>
#include <omp.h>
#include <string.h>

/* One primitive argument: our buffer (user layout) and the primitive's view of it, with the
 * reorder between them when the layouts differ. Accumulating outputs always go through a
 * reorder with a sum post-op (dst = reorder(src) + dst). */
typedef struct {
  dnnl_memory_t user, prim;
  dnnl_primitive_t reorder; /* NULL when prim is user */
  gboolean to_prim;
} Port;

typedef struct {
  DvConv2dShape s;
  gboolean bias;
  GMutex lock;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t fwd_pd;
  dnnl_primitive_t fwd, bwd_data, bwd_weights;
  Port f_src, f_w, f_dst;
  Port d_ddst, d_w, d_dsrc;
  Port w_ddst, w_src, w_dw;
  dnnl_memory_t bias_user, dbias_mem;
  float *dbias_tmp;
  gboolean bwd_ready, failed;
} Conv;

static dnnl_engine_t engine;
static GMutex cache_lock;
static GPtrArray *cache;

#define TRY(x) G_STMT_START { if ((x) != dnnl_success) return FALSE; } G_STMT_END

static gboolean
port_init (Port *p, const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *prim_md, gboolean to_prim,
           gboolean accumulate)
{
  memset (p, 0, sizeof *p);
  p->to_prim = to_prim;
  TRY (dnnl_memory_create (&p->user, user_md, engine, DNNL_MEMORY_NONE));
  if (!accumulate && dnnl_memory_desc_equal (user_md, prim_md))
    {
      p->prim = p->user;
      return TRUE;
    }
  TRY (dnnl_memory_create (&p->prim, prim_md, engine, DNNL_MEMORY_ALLOCATE));
  dnnl_primitive_attr_t attr = NULL;
  if (accumulate)
    {
      dnnl_post_ops_t ops;
      TRY (dnnl_post_ops_create (&ops));
      TRY (dnnl_post_ops_append_sum (ops, 1.0f));
      TRY (dnnl_primitive_attr_create (&attr));
      TRY (dnnl_primitive_attr_set_post_ops (attr, ops));
      dnnl_post_ops_destroy (ops);
    }
  dnnl_primitive_desc_t rpd;
  dnnl_status_t st = to_prim ? dnnl_reorder_primitive_desc_create (&rpd, user_md, engine, prim_md, engine, attr)
                             : dnnl_reorder_primitive_desc_create (&rpd, prim_md, engine, user_md, engine, attr);
  if (attr)
    dnnl_primitive_attr_destroy (attr);
  TRY (st);
  st = dnnl_primitive_create (&p->reorder, rpd);
  dnnl_primitive_desc_destroy (rpd);
  return st == dnnl_success;
}

static gboolean
port_bind (Port *p, const void *ptr)
{
  return dnnl_memory_set_data_handle (p->user, (void *) ptr) == dnnl_success;
}

static gboolean
port_sync (Port *p, dnnl_stream_t stream)
{
  if (!p->reorder)
    return TRUE;
  dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, p->to_prim ? p->user : p->prim },
                              { DNNL_ARG_TO, p->to_prim ? p->prim : p->user } };
  return dnnl_primitive_execute (p->reorder, stream, 2, args) == dnnl_success;
}

static void
descs (const DvConv2dShape *s, gboolean any, dnnl_memory_desc_t *src, dnnl_memory_desc_t *w, dnnl_memory_desc_t *b,
       dnnl_memory_desc_t *dst)
{
  const int oh = dv_conv2d_out_h (s), ow = dv_conv2d_out_w (s), g = s->groups;
  dnnl_dims_t sd = { s->batch, s->in_channels, s->in_h, s->in_w }, dd = { s->batch, s->out_channels, oh, ow };
  dnnl_dims_t bd = { s->out_channels };
  dnnl_dims_t wd4 = { s->out_channels, s->in_channels, s->kernel_h, s->kernel_w };
  dnnl_dims_t wd5 = { g, s->out_channels / g, s->in_channels / g, s->kernel_h, s->kernel_w };
  dnnl_memory_desc_init_by_tag (src, 4, sd, dnnl_f32, any ? dnnl_format_tag_any : dnnl_nchw);
  dnnl_memory_desc_init_by_tag (dst, 4, dd, dnnl_f32, any ? dnnl_format_tag_any : dnnl_nchw);
  dnnl_memory_desc_init_by_tag (b, 1, bd, dnnl_f32, dnnl_x);
  if (g == 1)
    dnnl_memory_desc_init_by_tag (w, 4, wd4, dnnl_f32, any ? dnnl_format_tag_any : dnnl_oihw);
  else
    dnnl_memory_desc_init_by_tag (w, 5, wd5, dnnl_f32, any ? dnnl_format_tag_any : dnnl_goihw);
}

static gboolean
conv_init_forward (Conv *c)
{
  const DvConv2dShape *s = &c->s;
  dnnl_memory_desc_t src_u, w_u, b_u, dst_u, src_a, w_a, b_a, dst_a;
  descs (s, FALSE, &src_u, &w_u, &b_u, &dst_u);
  descs (s, TRUE, &src_a, &w_a, &b_a, &dst_a);
  dnnl_dims_t strides = { s->stride, s->stride }, pad = { s->padding, s->padding };
  dnnl_convolution_desc_t d;
  TRY (dnnl_convolution_forward_desc_init (&d, dnnl_forward_training, dnnl_convolution_direct, &src_a, &w_a,
                                           c->bias ? &b_u : NULL, &dst_a, strides, pad, pad));
  TRY (dnnl_primitive_desc_create (&c->fwd_pd, &d, NULL, engine, NULL));
  TRY (dnnl_primitive_create (&c->fwd, c->fwd_pd));
  TRY (dnnl_stream_create (&c->stream, engine, dnnl_stream_default_flags));
  return port_init (&c->f_src, &src_u, dnnl_primitive_desc_query_md (c->fwd_pd, dnnl_query_src_md, 0), TRUE, FALSE) &&
         port_init (&c->f_w, &w_u, dnnl_primitive_desc_query_md (c->fwd_pd, dnnl_query_weights_md, 0), TRUE, FALSE) &&
         port_init (&c->f_dst, &dst_u, dnnl_primitive_desc_query_md (c->fwd_pd, dnnl_query_dst_md, 0), FALSE, FALSE) &&
         dnnl_memory_create (&c->bias_user, &b_u, engine, DNNL_MEMORY_NONE) == dnnl_success;
}

static gboolean
conv_init_backward (Conv *c)
{
  const DvConv2dShape *s = &c->s;
  dnnl_memory_desc_t src_u, w_u, b_u, dst_u, src_a, w_a, b_a, dst_a;
  descs (s, FALSE, &src_u, &w_u, &b_u, &dst_u);
  descs (s, TRUE, &src_a, &w_a, &b_a, &dst_a);
  dnnl_dims_t strides = { s->stride, s->stride }, pad = { s->padding, s->padding };
  dnnl_convolution_desc_t dd, wd;
  dnnl_primitive_desc_t dpd, wpd;
  TRY (dnnl_convolution_backward_data_desc_init (&dd, dnnl_convolution_direct, &src_a, &w_a, &dst_a, strides, pad,
                                                 pad));
  TRY (dnnl_primitive_desc_create (&dpd, &dd, NULL, engine, c->fwd_pd));
  TRY (dnnl_convolution_backward_weights_desc_init (&wd, dnnl_convolution_direct, &src_a, &w_a,
                                                    c->bias ? &b_u : NULL, &dst_a, strides, pad, pad));
  TRY (dnnl_primitive_desc_create (&wpd, &wd, NULL, engine, c->fwd_pd));
  gboolean ok = dnnl_primitive_create (&c->bwd_data, dpd) == dnnl_success &&
                dnnl_primitive_create (&c->bwd_weights, wpd) == dnnl_success &&
                port_init (&c->d_ddst, &dst_u, dnnl_primitive_desc_query_md (dpd, dnnl_query_diff_dst_md, 0), TRUE, FALSE) &&
                port_init (&c->d_w, &w_u, dnnl_primitive_desc_query_md (dpd, dnnl_query_weights_md, 0), TRUE, FALSE) &&
                port_init (&c->d_dsrc, &src_u, dnnl_primitive_desc_query_md (dpd, dnnl_query_diff_src_md, 0), FALSE, TRUE) &&
                port_init (&c->w_ddst, &dst_u, dnnl_primitive_desc_query_md (wpd, dnnl_query_diff_dst_md, 0), TRUE, FALSE) &&
                port_init (&c->w_src, &src_u, dnnl_primitive_desc_query_md (wpd, dnnl_query_src_md, 0), TRUE, FALSE) &&
                port_init (&c->w_dw, &w_u, dnnl_primitive_desc_query_md (wpd, dnnl_query_diff_weights_md, 0), FALSE, TRUE);
  if (ok && c->bias)
    {
      c->dbias_tmp = g_new (float, s->out_channels);
      ok = dnnl_memory_create (&c->dbias_mem, &b_u, engine, c->dbias_tmp) == dnnl_success;
    }
  dnnl_primitive_desc_destroy (dpd);
  dnnl_primitive_desc_destroy (wpd);
  return ok;
}

/* The cached primitives for a shape, locked; NULL if oneDNN cannot do it. */
static Conv *
conv_get (const DvConv2dShape *s, gboolean bias)
{
  g_mutex_lock (&cache_lock);
  if (!engine && dnnl_engine_create (&engine, dnnl_cpu, 0) != dnnl_success)
    engine = NULL;
  if (!cache)
    cache = g_ptr_array_new ();
  Conv *c = NULL;
  for (guint i = 0; i < cache->len && !c; i++)
    {
      Conv *e = g_ptr_array_index (cache, i);
      if (e->bias == bias && memcmp (&e->s, s, sizeof *s) == 0)
        c = e;
    }
  /* A bound on cached shapes (each holds primitives and buffers); beyond it the caller falls back to im2col. */
  if (!c && engine && cache->len < 256)
    {
      c = g_new0 (Conv, 1);
      c->s = *s;
      c->bias = bias;
      g_mutex_init (&c->lock);
      c->failed = !conv_init_forward (c);
      g_ptr_array_add (cache, c);
    }
  g_mutex_unlock (&cache_lock);
  if (!c || c->failed)
    return NULL;
  g_mutex_lock (&c->lock);
  return c;
}

void
dv_conv2d_dnnl_set_threads (int n)
{
  omp_set_num_threads (n);
}

gboolean
dv_conv2d_dnnl_forward (float *out, const float *inp, const float *weight, const float *bias, const DvConv2dShape *s)
{
  Conv *c = conv_get (s, bias != NULL);
  if (!c)
    return FALSE;
  gboolean ok = port_bind (&c->f_src, inp) && port_bind (&c->f_w, weight) && port_bind (&c->f_dst, out) &&
                (!bias || dnnl_memory_set_data_handle (c->bias_user, (void *) bias) == dnnl_success) &&
                port_sync (&c->f_src, c->stream) && port_sync (&c->f_w, c->stream);
  if (ok)
    {
      dnnl_exec_arg_t args[4] = { { DNNL_ARG_SRC, c->f_src.prim }, { DNNL_ARG_WEIGHTS, c->f_w.prim },
                                  { DNNL_ARG_DST, c->f_dst.prim }, { DNNL_ARG_BIAS, c->bias_user } };
      ok = dnnl_primitive_execute (c->fwd, c->stream, bias ? 4 : 3, args) == dnnl_success &&
           port_sync (&c->f_dst, c->stream) && dnnl_stream_wait (c->stream) == dnnl_success;
    }
  g_mutex_unlock (&c->lock);
  return ok;
}

gboolean
dv_conv2d_dnnl_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                         const float *weight, const DvConv2dShape *s)
{
  /* The backward primitives are cached with the forward's (bias or not as the forward had it). */
  Conv *c = conv_get (s, dbias != NULL);
  if (!c)
    return FALSE;
  gboolean ok = TRUE;
  if (!c->bwd_ready)
    {
      ok = conv_init_backward (c);
      c->bwd_ready = ok;
      c->failed = !ok;
    }
  if (ok && dinp)
    {
      ok = port_bind (&c->d_ddst, dout) && port_bind (&c->d_w, weight) && port_bind (&c->d_dsrc, dinp) &&
           port_sync (&c->d_ddst, c->stream) && port_sync (&c->d_w, c->stream);
      dnnl_exec_arg_t args[3] = { { DNNL_ARG_DIFF_DST, c->d_ddst.prim }, { DNNL_ARG_WEIGHTS, c->d_w.prim },
                                  { DNNL_ARG_DIFF_SRC, c->d_dsrc.prim } };
      ok = ok && dnnl_primitive_execute (c->bwd_data, c->stream, 3, args) == dnnl_success &&
           port_sync (&c->d_dsrc, c->stream);
    }
  if (ok && (dweight || dbias))
    {
      /* Without dweight the weight gradient still has to go somewhere: the primitive's own buffer. */
      ok = port_bind (&c->w_ddst, dout) && port_bind (&c->w_src, inp) &&
           port_sync (&c->w_ddst, c->stream) && port_sync (&c->w_src, c->stream);
      dnnl_exec_arg_t args[4] = { { DNNL_ARG_DIFF_DST, c->w_ddst.prim }, { DNNL_ARG_SRC, c->w_src.prim },
                                  { DNNL_ARG_DIFF_WEIGHTS, c->w_dw.prim }, { DNNL_ARG_DIFF_BIAS, c->dbias_mem } };
      ok = ok && dnnl_primitive_execute (c->bwd_weights, c->stream, c->bias ? 4 : 3, args) == dnnl_success;
      if (ok && dweight)
        ok = port_bind (&c->w_dw, dweight) && port_sync (&c->w_dw, c->stream);
    }
  ok = ok && dnnl_stream_wait (c->stream) == dnnl_success;
  if (ok && dbias)
    for (int i = 0; i < s->out_channels; i++)
      dbias[i] += c->dbias_tmp[i];
  g_mutex_unlock (&c->lock);
  return ok;
}
