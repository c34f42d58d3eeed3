//! Criterion benchmarks: batched greedy generation (16 × 24 prompt tokens → 64 new tokens, fixed
//! length) and training forward+backward on the same 16 × 88 tokens.
//! Run: `RAYON_NUM_THREADS=2 cargo bench -p proctor-models --bench generation`

#[path = "bench_model.rs"]
mod bench_model;

use bench_model::{BATCH, NEW_TOKENS, PROMPT_LEN, bench_model, bench_prompts};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use proctor_models::{GenerationRequest, Generator, SamplingParams, sequence_logprobs_train};

fn generation(c: &mut Criterion) {
    let lm = bench_model();
    let request = GenerationRequest {
        prompts: bench_prompts(),
        sampling: SamplingParams {
            temperature: 0.0,
            max_new_tokens: NEW_TOKENS,
            stop_on_eos: false,
            ..SamplingParams::default()
        },
    };
    let generator = Generator::new(&lm.model, &lm.tokenizer);
    let completions: Vec<Vec<u32>> = generator
        .generate(&request)
        .expect("generation")
        .into_iter()
        .map(|g| g.token_ids)
        .collect();
    let mut group = c.benchmark_group("qwen2_4x256");
    group.sample_size(10);
    group.throughput(Throughput::Elements((BATCH * NEW_TOKENS) as u64));
    group.bench_function("generate_greedy_16x24_plus_64", |b| {
        b.iter(|| generator.generate(&request).expect("generation"))
    });
    group.throughput(Throughput::Elements(
        (BATCH * (PROMPT_LEN + NEW_TOKENS)) as u64,
    ));
    group.bench_function("forward_backward_16x88", |b| {
        b.iter(|| {
            let scored = sequence_logprobs_train(&lm.model, &request.prompts, &completions, 1.0, 0)
                .expect("scoring");
            scored
                .logprobs
                .sum_all()
                .expect("sum")
                .backward()
                .expect("backward")
        })
    });
    group.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
