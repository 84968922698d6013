/*===- native_loop.c - the selective scan as a straightforward C loop -----===//
 *
 * The yardstick bench/native_scan.cpp must beat (issue 17): one fused loop
 * over (batch, channel) with OpenMP, delta * u hoisted out of the state
 * loop, B and C transposed so that the state loop is contiguous, built with
 * -O3 -march=native -ffast-math -fopenmp (bench/CMakeLists.txt).
 *
 *   native-loop DIR    (DIR holds delta.npy u.npy A.npy B.npy C.npy, f32)
 *
 * Prints the seconds spent in the loop; writes nothing.
 *
 *===----------------------------------------------------------------------===*/

#include <omp.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A little-endian f32 .npy file: its data, and its shape (up to 3 dims). */
static float *load(const char *dir, const char *name, long shape[3]) {
  char path[4096], header[1024];
  snprintf(path, sizeof path, "%s/%s.npy", dir, name);
  FILE *f = fopen(path, "rb");
  unsigned char pre[10];
  if (!f || fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
    fprintf(stderr, "native-loop: cannot read %s\n", path);
    exit(1);
  }
  unsigned len = pre[8] | (unsigned)pre[9] << 8;
  if (len >= sizeof header || fread(header, 1, len, f) != len ||
      !strstr(header, "'<f4'")) {
    fprintf(stderr, "native-loop: %s is not an f32 .npy file\n", path);
    exit(1);
  }
  header[len] = 0;
  const char *s = strstr(header, "'shape': (");
  long n = 1;
  shape[0] = shape[1] = shape[2] = 1;
  if (s) {
    s += 10;
    for (int d = 0; d < 3 && *s && *s != ')'; ++d) {
      char *end;
      shape[d] = strtol(s, &end, 10);
      n *= shape[d];
      s = end + (*end == ',') + (end[1] == ' ');
    }
  }
  float *p = malloc((size_t)n * 4);
  if (!p || fread(p, 4, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "native-loop: %s is truncated\n", path);
    exit(1);
  }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: native-loop DIR\n");
    return 1;
  }
  long sd[3], su[3], sa[3], sb[3], sc[3];
  float *delta = load(argv[1], "delta", sd), *u = load(argv[1], "u", su),
        *A = load(argv[1], "A", sa), *B = load(argv[1], "B", sb),
        *C = load(argv[1], "C", sc);
  const long batch = sd[0], channels = sd[1], len = sd[2], state = sa[1];
  float *Bt = malloc((size_t)(batch * len * state) * 4);
  float *Ct = malloc((size_t)(batch * len * state) * 4);
  float *y = malloc((size_t)(batch * channels * len) * 4);
  for (long b = 0; b < batch; ++b)
    for (long n = 0; n < state; ++n)
      for (long t = 0; t < len; ++t) {
        Bt[(b * len + t) * state + n] = B[(b * state + n) * len + t];
        Ct[(b * len + t) * state + n] = C[(b * state + n) * len + t];
      }
  double start = omp_get_wtime();
#pragma omp parallel for collapse(2) schedule(static)
  for (long b = 0; b < batch; ++b)
    for (long c = 0; c < channels; ++c) {
      float x[state];
      for (long n = 0; n < state; ++n)
        x[n] = 0.0f;
      const float *d = delta + (b * channels + c) * len;
      const float *uu = u + (b * channels + c) * len;
      const float *a = A + c * state;
      float *out = y + (b * channels + c) * len;
      for (long t = 0; t < len; ++t) {
        const float *bt = Bt + (b * len + t) * state;
        const float *ct = Ct + (b * len + t) * state;
        float du = d[t] * uu[t], acc = 0.0f;
        for (long n = 0; n < state; ++n) {
          x[n] = expf(d[t] * a[n]) * x[n] + du * bt[n];
          acc += ct[n] * x[n];
        }
        out[t] = acc;
      }
    }
  printf("%.3f\n", omp_get_wtime() - start);
  free(y);
  return 0;
}
