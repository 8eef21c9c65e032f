#include "nn/conv2d.h"

#include "core/blas.h"

#include <math.h>
#include <string.h>

#ifdef DV_HAVE_DNNL
#include "nn/conv2d_dnnl.h"
static DvConv2dBackend conv_backend = DV_CONV2D_ONEDNN;
#else
static DvConv2dBackend conv_backend = DV_CONV2D_IM2COL;
#endif

static int conv_threads = 1;

void
dv_conv2d_set_threads (int n)
{
  conv_threads = CLAMP (n, 1, 64);
#ifdef DV_HAVE_DNNL
  dv_conv2d_dnnl_set_threads (conv_threads);
#endif
}

gboolean
dv_conv2d_set_backend (DvConv2dBackend backend)
{
#ifndef DV_HAVE_DNNL
  if (backend == DV_CONV2D_ONEDNN)
    return FALSE;
#endif
  conv_backend = backend;
  return TRUE;
}

DvConv2dBackend
dv_conv2d_get_backend (void)
{
  return conv_backend;
}

const char *
dv_conv2d_backend_name (void)
{
  return conv_backend == DV_CONV2D_ONEDNN ? "oneDNN" : "im2col+OpenBLAS";
}

int
dv_conv2d_get_threads (void)
{
  return conv_threads;
}

void
dv_conv2d_shape_init (DvConv2dShape *s, int batch, int in_channels, int in_h, int in_w, int out_channels,
                      int kernel, int stride, int padding)
{
  *s = (DvConv2dShape) { .batch = batch, .in_channels = in_channels, .in_h = in_h, .in_w = in_w,
                         .out_channels = out_channels, .kernel_h = kernel, .kernel_w = kernel,
                         .stride = stride, .padding = padding, .groups = 1 };
}

int
dv_conv2d_out_h (const DvConv2dShape *s)
{
  return (s->in_h + 2 * s->padding - s->kernel_h) / s->stride + 1;
}

int
dv_conv2d_out_w (const DvConv2dShape *s)
{
  return (s->in_w + 2 * s->padding - s->kernel_w) / s->stride + 1;
}

static void
check_shape (const DvConv2dShape *s)
{
  DV_CHECK (s->batch > 0 && s->in_channels > 0 && s->out_channels > 0 && s->kernel_h > 0 && s->kernel_w > 0 &&
              s->stride > 0 && s->padding >= 0 && s->groups > 0,
            "dv_conv2d: bad shape");
  DV_CHECK (s->in_channels % s->groups == 0 && s->out_channels % s->groups == 0,
            "dv_conv2d: channels %d→%d not divisible by groups %d", s->in_channels, s->out_channels, s->groups);
  DV_CHECK (dv_conv2d_out_h (s) > 0 && dv_conv2d_out_w (s) > 0, "dv_conv2d: kernel larger than padded input");
}

size_t
dv_conv2d_weight_size (const DvConv2dShape *s)
{
  return (size_t) s->out_channels * (s->in_channels / s->groups) * s->kernel_h * s->kernel_w;
}

size_t
dv_conv2d_workspace_size (const DvConv2dShape *s)
{
  size_t np = (size_t) s->batch * dv_conv2d_out_h (s) * dv_conv2d_out_w (s);
  size_t k_group = (size_t) (s->in_channels / s->groups) * s->kernel_h * s->kernel_w;
  return (k_group + (size_t) s->out_channels) * np;
}

/* A minimal parallel for over [0, n): the calling thread takes the first part. */
typedef void (*RangeFunc) (gpointer ctx, int begin, int end);

typedef struct {
  RangeFunc func;
  gpointer ctx;
  int begin, end;
} RangeJob;

static gpointer
range_thread (gpointer data)
{
  RangeJob *job = data;
  job->func (job->ctx, job->begin, job->end);
  return NULL;
}

static void
parallel_for (int n, size_t work_per_item, RangeFunc func, gpointer ctx)
{
  int threads = conv_threads;
  /* Below ~256 K floats of work a thread costs more than it saves. */
  if ((size_t) n * work_per_item < (1u << 18))
    threads = 1;
  threads = MIN (threads, n);
  if (threads <= 1)
    {
      func (ctx, 0, n);
      return;
    }
  RangeJob jobs[64];
  GThread *handles[64];
  for (int t = 0; t < threads; t++)
    jobs[t] = (RangeJob) { func, ctx, (int) ((gint64) n * t / threads), (int) ((gint64) n * (t + 1) / threads) };
  for (int t = 1; t < threads; t++)
    handles[t] = g_thread_new ("dv-conv", range_thread, &jobs[t]);
  func (ctx, jobs[0].begin, jobs[0].end);
  for (int t = 1; t < threads; t++)
    g_thread_join (handles[t]);
}

typedef struct {
  const DvConv2dShape *s;
  int oh, ow, group;
  const float *inp;
  float *dinp;
  float *col;        /* [k_group][batch·oh·ow] */
  float *rows;       /* [out_channels][batch·oh·ow] */
  float *out;        /* NCHW */
  const float *dout; /* NCHW */
  const float *bias;
} ConvJob;

/* Items are (image, channel within group) pairs: each writes its own rows' slices of col. */
static void
im2col_range (gpointer data, int begin, int end)
{
  const ConvJob *j = data;
  const DvConv2dShape *s = j->s;
  const int cin_g = s->in_channels / s->groups, kh = s->kernel_h, kw = s->kernel_w;
  const int oh = j->oh, ow = j->ow, st = s->stride, pad = s->padding, H = s->in_h, W = s->in_w;
  const size_t P = (size_t) oh * ow, NP = (size_t) s->batch * P;
  for (int item = begin; item < end; item++)
    {
      int n = item / cin_g, cl = item % cin_g;
      const float *plane = j->inp + ((size_t) n * s->in_channels + (size_t) j->group * cin_g + cl) * H * W;
      for (int i = 0; i < kh; i++)
        for (int jj = 0; jj < kw; jj++)
          {
            float *dst = j->col + ((size_t) (cl * kh + i) * kw + jj) * NP + (size_t) n * P;
            /* Output columns whose input column is inside: ow_lo ≤ x < ow_hi. */
            int ow_lo = 0, ow_hi = ow;
            while (ow_lo < ow && ow_lo * st - pad + jj < 0)
              ow_lo++;
            while (ow_hi > ow_lo && (ow_hi - 1) * st - pad + jj >= W)
              ow_hi--;
            for (int y = 0; y < oh; y++)
              {
                int iy = y * st - pad + i;
                float *d = dst + (size_t) y * ow;
                if (iy < 0 || iy >= H)
                  {
                    memset (d, 0, sizeof (float) * ow);
                    continue;
                  }
                const float *srow = plane + (size_t) iy * W;
                for (int x = 0; x < ow_lo; x++)
                  d[x] = 0.0f;
                if (st == 1)
                  memcpy (d + ow_lo, srow + ow_lo - pad + jj, sizeof (float) * (ow_hi - ow_lo));
                else
                  for (int x = ow_lo; x < ow_hi; x++)
                    d[x] = srow[x * st - pad + jj];
                for (int x = ow_hi; x < ow; x++)
                  d[x] = 0.0f;
              }
          }
    }
}

static void
col2im_range (gpointer data, int begin, int end)
{
  const ConvJob *j = data;
  const DvConv2dShape *s = j->s;
  const int cin_g = s->in_channels / s->groups, kh = s->kernel_h, kw = s->kernel_w;
  const int oh = j->oh, ow = j->ow, st = s->stride, pad = s->padding, H = s->in_h, W = s->in_w;
  const size_t P = (size_t) oh * ow, NP = (size_t) s->batch * P;
  for (int item = begin; item < end; item++)
    {
      int n = item / cin_g, cl = item % cin_g;
      float *plane = j->dinp + ((size_t) n * s->in_channels + (size_t) j->group * cin_g + cl) * H * W;
      for (int i = 0; i < kh; i++)
        for (int jj = 0; jj < kw; jj++)
          {
            const float *src = j->col + ((size_t) (cl * kh + i) * kw + jj) * NP + (size_t) n * P;
            int ow_lo = 0, ow_hi = ow;
            while (ow_lo < ow && ow_lo * st - pad + jj < 0)
              ow_lo++;
            while (ow_hi > ow_lo && (ow_hi - 1) * st - pad + jj >= W)
              ow_hi--;
            for (int y = 0; y < oh; y++)
              {
                int iy = y * st - pad + i;
                if (iy < 0 || iy >= H)
                  continue;
                float *drow = plane + (size_t) iy * W;
                const float *sr = src + (size_t) y * ow;
                if (st == 1)
                  {
                    float *dd = drow - pad + jj;
                    for (int x = ow_lo; x < ow_hi; x++)
                      dd[x] += sr[x];
                  }
                else
                  for (int x = ow_lo; x < ow_hi; x++)
                    drow[x * st - pad + jj] += sr[x];
              }
          }
    }
}

/* rows [cout][n·P + p] → out [n][cout][p], adding the bias. Items are images. */
static void
rows_to_nchw_range (gpointer data, int begin, int end)
{
  const ConvJob *j = data;
  const DvConv2dShape *s = j->s;
  const size_t P = (size_t) j->oh * j->ow, NP = (size_t) s->batch * P;
  for (int n = begin; n < end; n++)
    for (int c = 0; c < s->out_channels; c++)
      {
        const float *src = j->rows + (size_t) c * NP + (size_t) n * P;
        float *dst = j->out + ((size_t) n * s->out_channels + c) * P;
        if (j->bias)
          {
            float b = j->bias[c];
            for (size_t p = 0; p < P; p++)
              dst[p] = src[p] + b;
          }
        else
          memcpy (dst, src, sizeof (float) * P);
      }
}

/* dout [n][cout][p] → rows [cout][n·P + p]. Items are output channels. */
static void
nchw_to_rows_range (gpointer data, int begin, int end)
{
  const ConvJob *j = data;
  const DvConv2dShape *s = j->s;
  const size_t P = (size_t) j->oh * j->ow, NP = (size_t) s->batch * P;
  for (int c = begin; c < end; c++)
    for (int n = 0; n < s->batch; n++)
      memcpy (j->rows + (size_t) c * NP + (size_t) n * P, j->dout + ((size_t) n * s->out_channels + c) * P,
              sizeof (float) * P);
}

void
dv_conv2d_forward (float *out, const float *inp, const float *weight, const float *bias,
                   const DvConv2dShape *s, float *work)
{
  check_shape (s);
#ifdef DV_HAVE_DNNL
  if (conv_backend == DV_CONV2D_ONEDNN && dv_conv2d_dnnl_forward (out, inp, weight, bias, s))
    return;
#endif
  const int oh = dv_conv2d_out_h (s), ow = dv_conv2d_out_w (s);
  const int cin_g = s->in_channels / s->groups, cout_g = s->out_channels / s->groups;
  const int k_group = cin_g * s->kernel_h * s->kernel_w;
  const size_t NP = (size_t) s->batch * oh * ow;
  ConvJob job = { .s = s, .oh = oh, .ow = ow, .inp = inp, .col = work, .rows = work + (size_t) k_group * NP,
                  .out = out, .bias = bias };
  for (int g = 0; g < s->groups; g++)
    {
      job.group = g;
      parallel_for (s->batch * cin_g, (size_t) s->kernel_h * s->kernel_w * oh * ow, im2col_range, &job);
      dv_gemm_strided (FALSE, FALSE, cout_g, (int) NP, k_group, 1.0f, weight + (size_t) g * cout_g * k_group,
                       k_group, job.col, (int) NP, 0.0f, job.rows + (size_t) g * cout_g * NP, (int) NP);
    }
  parallel_for (s->batch, (size_t) s->out_channels * oh * ow, rows_to_nchw_range, &job);
}

void
dv_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                    const float *weight, const DvConv2dShape *s, float *work)
{
  check_shape (s);
#ifdef DV_HAVE_DNNL
  if (conv_backend == DV_CONV2D_ONEDNN && dv_conv2d_dnnl_backward (dinp, dweight, dbias, dout, inp, weight, s))
    return;
#endif
  const int oh = dv_conv2d_out_h (s), ow = dv_conv2d_out_w (s);
  const int cin_g = s->in_channels / s->groups, cout_g = s->out_channels / s->groups;
  const int k_group = cin_g * s->kernel_h * s->kernel_w;
  const size_t P = (size_t) oh * ow, NP = (size_t) s->batch * P;
  ConvJob job = { .s = s, .oh = oh, .ow = ow, .inp = inp, .dinp = dinp, .col = work,
                  .rows = work + (size_t) k_group * NP, .dout = dout };
  if (dbias)
    for (int n = 0; n < s->batch; n++)
      for (int c = 0; c < s->out_channels; c++)
        {
          const float *d = dout + ((size_t) n * s->out_channels + c) * P;
          float acc = 0.0f;
          for (size_t p = 0; p < P; p++)
            acc += d[p];
          dbias[c] += acc;
        }
  if (!dweight && !dinp)
    return;
  parallel_for (s->out_channels, (size_t) NP, nchw_to_rows_range, &job);
  for (int g = 0; g < s->groups; g++)
    {
      job.group = g;
      const float *rows_g = job.rows + (size_t) g * cout_g * NP;
      if (dweight)
        {
          parallel_for (s->batch * cin_g, (size_t) s->kernel_h * s->kernel_w * P, im2col_range, &job);
          dv_gemm_strided (FALSE, TRUE, cout_g, k_group, (int) NP, 1.0f, rows_g, (int) NP, job.col, (int) NP, 1.0f,
                           dweight + (size_t) g * cout_g * k_group, k_group);
        }
      if (dinp)
        {
          /* The columns' gradient overwrites the columns, which the weight gradient no longer needs. */
          dv_gemm_strided (TRUE, FALSE, k_group, (int) NP, cout_g, 1.0f, weight + (size_t) g * cout_g * k_group,
                           k_group, rows_g, (int) NP, 0.0f, job.col, (int) NP);
          parallel_for (s->batch * cin_g, (size_t) s->kernel_h * s->kernel_w * P, col2im_range, &job);
        }
    }
}

void
dv_conv2d_init (float *weight, float *bias, const DvConv2dShape *s, DvRng *rng)
{
  float bound = 1.0f / sqrtf ((float) (s->in_channels / s->groups) * s->kernel_h * s->kernel_w);
  dv_rng_fill_uniform (rng, weight, dv_conv2d_weight_size (s), -bound, bound);
  if (bias)
    dv_rng_fill_uniform (rng, bias, (size_t) s->out_channels, -bound, bound);
}
