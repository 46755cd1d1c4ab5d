/*
 * Random numbers: xoshiro256** (Blackman and Vigna) for initialisation, and
 * a counter-based hash (splitmix64's finaliser over seed and index) for
 * dropout masks, which must not depend on how rows are split among threads
 * and are regenerated in backward rather than stored.
 */
#include "musc/nn.h"

#include <math.h>

#include "nn_internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void musc_nn_rng_seed(musc_nn_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

uint64_t musc_nn_rng_next(musc_nn_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float musc_nn_rng_uniform(musc_nn_rng *rng)
{
    return (float)(musc_nn_rng_next(rng) >> 40) * (1.0f / 16777216.0f);
}

float musc_nn_rng_normal(musc_nn_rng *rng)
{
    /* Box-Muller in double; u1 in (0,1] avoids log(0). */
    double u1 = ((double)(musc_nn_rng_next(rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    double u2 = (double)(musc_nn_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void musc_nn_init_normal(float *x, size_t n, float std, musc_nn_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        x[i] = std * musc_nn_rng_normal(rng);
}

float musc_nn_hash_uniform(uint64_t seed, uint64_t index) { return nn_hash_uniform(seed, index); }
