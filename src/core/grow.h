/*
 * Growing the plain arrays of the object model. Capacity doubles so that
 * appending n elements costs O(n); counts are checked so a hostile size can
 * never overflow the byte count handed to realloc().
 */
#ifndef MUSC_CORE_GROW_H
#define MUSC_CORE_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Ensure room for `need` elements of size `elem` in *ptr with capacity *cap.
 * Returns 0 on success, -1 when out of memory (nothing changed). */
static inline int musc_grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap && (*ptr || need == 0))
        return 0;
    size_t ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*ptr, ncap * elem);
    if (!p)
        return -1;
    *ptr = p;
    *cap = ncap;
    return 0;
}

/* MUSC_GROW(arr, n, cap, need): grow the array named arr with fields n/cap. */
#define MUSC_GROW(ptr, cap, need) musc_grow((void **)&(ptr), &(cap), (need), sizeof *(ptr))

#endif
