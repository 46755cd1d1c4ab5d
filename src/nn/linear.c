/*
 * Linear layers through sgemm. Each OpenMP thread multiplies its own block
 * (rows of the batch for the data gradient and the output, rows of the
 * weight for the weight gradient) with a single-threaded sgemm, so one
 * thread pool does all the work and the sums never depend on timing.
 */
#include "musc/nn.h"

#include <cblas.h>
#include <omp.h>

#include "nn_internal.h"

void musc_nn_linear_forward(float *out, const float *in, const float *w, const float *b, int N,
                            int Din, int Dout)
{
    nn_blas_single_thread();
#pragma omp parallel if ((double)N * Din * Dout > NN_PAR_MIN_FLOPS)
    {
        int nt = omp_get_num_threads(), id = omp_get_thread_num(), lo, hi;
        if (N >= 8 * nt) { /* split rows of the batch */
            nn_chunk(N, nt, id, &lo, &hi);
            if (hi > lo)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, hi - lo, Dout, Din, 1.0f,
                            in + (size_t)lo * Din, Din, w, Din, 0.0f, out + (size_t)lo * Dout, Dout);
            if (b)
                for (int n = lo; n < hi; n++) {
                    float *o = out + (size_t)n * Dout;
#pragma omp simd
                    for (int k = 0; k < Dout; k++)
                        o[k] += b[k];
                }
        } else { /* few rows (sampling): split output features */
            nn_chunk(Dout, nt, id, &lo, &hi);
            if (hi > lo && N == 1) {
                /* one row (a sampling step): a matrix-vector product reads
                 * each weight once, where sgemm would first copy (pack) the
                 * whole weight block, doubling the memory traffic */
                cblas_sgemv(CblasRowMajor, CblasNoTrans, hi - lo, Din, 1.0f, w + (size_t)lo * Din,
                            Din, in, 1, 0.0f, out + lo, 1);
                if (b)
                    for (int k = lo; k < hi; k++)
                        out[k] += b[k];
            } else if (hi > lo) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, hi - lo, Din, 1.0f, in, Din,
                            w + (size_t)lo * Din, Din, 0.0f, out + lo, Dout);
                if (b)
                    for (int n = 0; n < N; n++)
                        for (int k = lo; k < hi; k++)
                            out[(size_t)n * Dout + k] += b[k];
            }
        }
    }
}

void musc_nn_linear_backward(float *din, float *dw, float *db, const float *dout,
                             const float *in, const float *w, int N, int Din, int Dout)
{
    nn_blas_single_thread();
#pragma omp parallel if ((double)N * Din * Dout > NN_PAR_MIN_FLOPS)
    {
        int nt = omp_get_num_threads(), id = omp_get_thread_num(), lo, hi;
        if (din) {
            nn_chunk(N, nt, id, &lo, &hi);
            if (hi > lo)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, hi - lo, Din, Dout, 1.0f,
                            dout + (size_t)lo * Dout, Dout, w, Din, 1.0f, din + (size_t)lo * Din, Din);
        }
        nn_chunk(Dout, nt, id, &lo, &hi);
        if (hi > lo) {
            if (dw)
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hi - lo, Din, N, 1.0f,
                            dout + lo, Dout, in, Din, 1.0f, dw + (size_t)lo * Din, Din);
            if (db)
                for (int n = 0; n < N; n++) {
                    const float *g = dout + (size_t)n * Dout;
#pragma omp simd
                    for (int k = lo; k < hi; k++)
                        db[k] += g[k];
                }
        }
    }
}
