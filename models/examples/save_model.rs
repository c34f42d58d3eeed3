//! Writes a model (`builtin:NAME` or a directory) as a Hugging Face directory, then prints the
//! greedy continuation of a chat prompt so another engine can be compared against it.
//! Run: `cargo run -p proctor-models --example save_model -- builtin:tiny OUT_DIR ["What is 2 + 3?"]`

use proctor_models::{
    ChatMessage, Device, GenerationRequest, Generator, LanguageModel, SamplingParams,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, out, rest @ ..] = args.as_slice() else {
        return Err("usage: save_model MODEL OUT_DIR [PROMPT]".into());
    };
    let prompt = rest.first().map_or("What is 2 + 3?", String::as_str);
    let lm = LanguageModel::load(spec, &Device::Cpu)?;
    lm.save(std::path::Path::new(out))?;
    let ids = lm.tokenizer.encode_chat(&[ChatMessage::user(prompt)])?;
    let sampling = SamplingParams {
        temperature: 0.0,
        max_new_tokens: 8,
        stop_on_eos: false,
        ..SamplingParams::default()
    };
    let generation = Generator::new(&lm.model, &lm.tokenizer)
        .generate(&GenerationRequest {
            prompts: vec![ids.clone()],
            sampling,
        })?
        .remove(0);
    println!(
        "{}",
        serde_json::json!({"prompt_ids": ids, "greedy_tokens": generation.token_ids, "logprobs": generation.logprobs})
    );
    Ok(())
}
