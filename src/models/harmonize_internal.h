/*
 * What the harmonizer's files share: reading text line by line, and the
 * BiLSTM's decoding weight.
 */
#ifndef MUSC_MODELS_HARMONIZE_INTERNAL_H
#define MUSC_MODELS_HARMONIZE_INTERNAL_H

#include <stddef.h>

/* The next line of text[0..size) from *pos into buf (NUL-terminated, with
 * trailing CR, spaces and tabs dropped). Returns 1 for a line, 0 at the end
 * of the text, -1 when a line does not fit in cap bytes. */
int harmony_next_line(const char *text, size_t size, size_t *pos, char *buf, size_t cap);

struct musc_harmony_net;
/* Set the transition weight that MUSC_HARMONIZE_BILSTM_VITERBI decoding uses
 * (musc_harmonizer_tune_net chooses it). */
void harmony_net_set_transition_weight(struct musc_harmony_net *net, double weight);

#endif
