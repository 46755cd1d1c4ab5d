/*
 * Playing order of a MusicXML score's measures: repeats, endings (voltas),
 * D.C., D.S., segno, coda and Fine, simulated the way a player reads them.
 *
 * The walk keeps a pass number for the current repeated section: ending
 * measures play only when their numbers include the pass. A backward repeat
 * jumps to the last forward repeat, or to the start of the piece when there
 * is none (as MuseScore does), until it has been played `times` times. A jump
 * (D.C./D.S.) happens once per measure; after it, repeats are not taken and
 * only the last ending of each group plays (the usual "no repeats after
 * D.C." convention, also MuseScore's default), Fine stops and To Coda jumps
 * to the coda. A hard cap bounds the output, so a malicious web of jumps
 * cannot loop forever.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"
#include "musicxml_internal.h"

uint32_t mx_ending_mask(const char *s)
{
    uint32_t mask = 0;
    long prev = -1;
    int range = 0;
    while (s && *s) {
        if (*s >= '0' && *s <= '9') {
            long v = 0;
            while (*s >= '0' && *s <= '9') {
                if (v < 1000)
                    v = v * 10 + (*s - '0');
                s++;
            }
            if (range && prev >= 1) {
                for (long k = prev + 1; k <= v && k <= 32; k++)
                    mask |= 1u << (k - 1);
            } else if (v >= 1 && v <= 32) {
                mask |= 1u << (v - 1);
            }
            prev = v;
            range = 0;
        } else {
            if (*s == '-')
                range = 1;
            s++;
        }
    }
    return mask;
}

static int highest_bit(uint32_t m)
{
    int h = 0;
    while (m) {
        h++;
        m >>= 1;
    }
    return h;
}

musc_status mx_play_order(const mx_flow *flow, size_t n, size_t cap, size_t **order,
                          size_t *n_order, int *truncated)
{
    *order = NULL;
    *n_order = 0;
    *truncated = 0;
    if (n == 0)
        return MUSC_OK;
    uint32_t *mask = calloc(n, sizeof *mask);   /* ending numbers of each measure */
    unsigned char *last = calloc(n, 1);         /* measure is in a group's last ending */
    int *count = calloc(n, sizeof *count);      /* passes taken at each backward repeat */
    unsigned char *jumped_from = calloc(n, 1);  /* D.C./D.S. already taken here */
    size_t *out = NULL, cap_out = 0, len = 0;
    musc_status st = MUSC_OK;
    if (!mask || !last || !count || !jumped_from) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* ending spans: from a start to its stop, a backward repeat or the next start */
    uint32_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        if (flow[i].ending_start)
            cur = flow[i].ending_start;
        mask[i] = cur;
        if (flow[i].ending_stop || flow[i].bwd)
            cur = 0;
    }
    /* the last ending of a group: the highest-numbered one in a run of
     * endings; a run goes on past measures outside any ending that close
     * with the backward repeat right before the next ending (a first ending
     * that stops before the repeat sign: Beethoven op. 132, m. 364-369) */
    for (size_t i = 0; i < n;) {
        if (!mask[i]) {
            i++;
            continue;
        }
        size_t j = i;
        int top = 0;
        for (;;) {
            while (j < n && mask[j]) {
                int h = highest_bit(mask[j]);
                if (h > top)
                    top = h;
                j++;
            }
            size_t k = j;
            while (k < n && !mask[k] && !flow[k].bwd && !flow[k].fwd)
                k++;
            if (k + 1 < n && !mask[k] && flow[k].bwd && !flow[k].fwd && mask[k + 1])
                j = k + 1;
            else
                break;
        }
        for (size_t k = i; k < j; k++)
            last[k] = mask[k] && highest_bit(mask[k]) == top;
        i = j;
    }

    /* jump targets */
    size_t segno = 0, coda = n, first_sign = n, last_sign = n;
    int have_segno = 0, have_tocoda = 0;
    for (size_t i = 0; i < n; i++) {
        if (flow[i].segno && !have_segno) {
            segno = i;
            have_segno = 1;
        }
        if (flow[i].coda && coda == n)
            coda = i;
        if (flow[i].tocoda)
            have_tocoda = 1;
        if (flow[i].coda_sign) {
            if (first_sign == n)
                first_sign = i;
            last_sign = i;
        }
    }
    size_t sign_tocoda = n;
    if (coda == n && first_sign != n && last_sign != first_sign) {
        coda = last_sign;
        if (!have_tocoda)
            sign_tocoda = first_sign;
    } else if (coda == n && first_sign != n && have_tocoda) {
        coda = first_sign;
    }

    size_t i = 0, start = 0;
    int pass = 1, jumped = 0, repeat_done = 0;
    while (i < n) {
        if (len >= cap) {
            *truncated = 1;
            break;
        }
        const mx_flow *f = &flow[i];
        /* just past a used-up backward repeat: an ending group here still
         * belongs to the last pass (a first ending that stops before the
         * repeat sign, then "2." after it); anything else starts afresh */
        if (repeat_done) {
            repeat_done = 0;
            if (!mask[i])
                pass = 1;
        }
        /* the ending is chosen by the pass that arrives: a forward repeat
         * on a second ending's first measure starts the next section only
         * once that ending plays */
        if (mask[i]) {
            int play = jumped ? last[i] : (pass <= 32 && (mask[i] >> (pass - 1) & 1));
            if (!play) {
                i++;
                continue;
            }
        }
        if (f->fwd && !jumped && i != start) {
            start = i;
            pass = 1;
        }
        if (MUSC_GROW(out, cap_out, len + 1)) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            goto done;
        }
        out[len++] = i;
        if (jumped && f->fine)
            break;
        if (jumped && (f->tocoda || i == sign_tocoda) && coda != n && coda > i) {
            i = coda;
            continue;
        }
        if (f->bwd && !jumped) {
            int times = f->times >= 2 ? f->times : 2;
            /* a repeat is used up once taken: coming back through it later
             * (a lone repeat further on jumps to the start) plays straight on */
            if (++count[i] < times) {
                pass++;
                i = start;
                continue;
            }
            repeat_done = 1;
        } else if (mask[i] && last[i] && (f->ending_stop || i + 1 == n || !mask[i + 1])) {
            pass = 1; /* left the final ending: the repeated section is over */
        }
        if ((f->dacapo || f->dalsegno) && !jumped_from[i]) {
            jumped_from[i] = 1;
            jumped = 1;
            pass = 1;
            i = f->dalsegno && have_segno ? segno : 0;
            continue;
        }
        i++;
    }
    *order = out;
    *n_order = len;
    out = NULL;
done:
    free(out);
    free(mask);
    free(last);
    free(count);
    free(jumped_from);
    return st;
}
