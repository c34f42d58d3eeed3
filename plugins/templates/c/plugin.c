// {{name}}: a proctor verifier plugin in C (WIT world `verifier` of proctor:verifier@0.1.0).
// Build: `proctor plugin build .` (needs `pip install ziglang` and wasm-tools; the bindings in
// bindings/ were generated from wit/ by `wit-bindgen c` 0.61.0); check:
// `proctor plugin check {{name}}.wasm`.

#include <stdlib.h>
#include <string.h>

#include "verifier.h"

void exports_verifier_info(verifier_plugin_info_t *ret) {
  verifier_string_dup(&ret->name, "{{name}}");
  verifier_string_dup(&ret->version, "0.1.0");
  ret->kinds.len = 1;
  ret->kinds.ptr = (verifier_string_t *)malloc(sizeof(verifier_string_t));
  verifier_string_dup(&ret->kinds.ptr[0], "exact");
}

// The bytes of `text` without leading and trailing ASCII whitespace.
static void trim(const uint8_t **start, size_t *len) {
  while (*len > 0 && strchr(" \t\r\n", (*start)[0]) != NULL) {
    (*start)++;
    (*len)--;
  }
  while (*len > 0 && strchr(" \t\r\n", (*start)[*len - 1]) != NULL) (*len)--;
}

static void verdict(verifier_verdict_t *ret, double score, proctor_verifier_types_status_t status,
                    const char *detail) {
  ret->score = score;
  ret->status = status;
  verifier_string_dup(&ret->detail, detail);
}

// Exact match of the trimmed response against the reference; replace with your check.
void exports_verifier_verify(verifier_task_t *task, verifier_string_t *response,
                             verifier_verdict_t *ret) {
  if (!task->reference.is_some) {
    verdict(ret, 0.0, PROCTOR_VERIFIER_TYPES_STATUS_INVALID_TASK, "task has no reference answer");
  } else {
    const uint8_t *answer = response->ptr, *reference = task->reference.val.ptr;
    size_t answer_len = response->len, reference_len = task->reference.val.len;
    trim(&answer, &answer_len);
    trim(&reference, &reference_len);
    if (answer_len == 0) {
      verdict(ret, 0.0, PROCTOR_VERIFIER_TYPES_STATUS_UNPARSABLE, "empty response");
    } else if (answer_len == reference_len && memcmp(answer, reference, answer_len) == 0) {
      verdict(ret, 1.0, PROCTOR_VERIFIER_TYPES_STATUS_CORRECT, "matches the reference");
    } else {
      verdict(ret, 0.0, PROCTOR_VERIFIER_TYPES_STATUS_INCORRECT, "does not match the reference");
    }
  }
  // Arguments are owned by the callee.
  verifier_task_free(task);
  verifier_string_free(response);
}
