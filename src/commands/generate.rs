//! `proctor generate`: sample continuations of prompts with a model, one JSON line per prompt.

use super::Failure;
use crate::cli::GenerateArgs;
use anyhow::{Context, anyhow};
use proctor_models::{ChatMessage, GenerationRequest, Generator, LanguageModel, SamplingParams};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Generates for every prompt in one batch and prints `{"prompt","text","token_ids","logprobs","finish_reason"}` lines.
pub fn run(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    let prompts = match (&args.prompt, &args.prompts) {
        (Some(prompt), None) => vec![prompt.clone()],
        (None, Some(file)) => read_prompts(file).map_err(Failure::usage)?,
        _ => {
            return Err(Failure::usage(anyhow!(
                "give exactly one of --prompt TEXT or --prompts FILE.jsonl"
            )));
        }
    };
    let device = proctor_models::parse_device(&args.device).map_err(Failure::usage)?;
    let language_model = LanguageModel::load(&args.model, &device)
        .with_context(|| format!("cannot load model {}", args.model))
        .map_err(Failure::usage)?;
    let tokenizer = &language_model.tokenizer;
    let token_prompts = prompts
        .iter()
        .map(|prompt| {
            if args.raw {
                tokenizer.encode(prompt, true)
            } else {
                tokenizer.encode_chat(&[ChatMessage::user(prompt.clone())])
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .context("cannot tokenize the prompts")
        .map_err(Failure::usage)?;
    let request = GenerationRequest {
        prompts: token_prompts,
        sampling: SamplingParams {
            temperature: args.temperature,
            top_p: args.top_p,
            top_k: args.top_k,
            max_new_tokens: args.max_new_tokens,
            stop_on_eos: !args.no_stop,
            stop: Vec::new(),
            n: args.n,
            seed: args.seed,
        },
    };
    let generations = Generator::new(&language_model.model, tokenizer)
        .generate(&request)
        .context("generation failed")
        .map_err(Failure::failed)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for generation in generations {
        let mut line = json!({
            "prompt": prompts[generation.prompt_index],
            "text": generation.text,
            "token_ids": generation.token_ids,
            "logprobs": generation.logprobs,
            "finish_reason": generation.finish_reason,
        });
        if args.n > 1 {
            line["sample_index"] = json!(generation.sample_index);
        }
        writeln!(out, "{line}")
            .context("cannot write to stdout")
            .map_err(Failure::failed)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `{"prompt": "..."}` lines, naming the file and line of any that is malformed.
fn read_prompts(file: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut prompts = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a JSON object", file.display(), index + 1))?;
        let prompt = value
            .get("prompt")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                anyhow!(
                    "{}:{}: expected {{\"prompt\": \"...\"}}",
                    file.display(),
                    index + 1
                )
            })?;
        prompts.push(prompt.to_string());
    }
    if prompts.is_empty() {
        return Err(anyhow!("{}: no prompts", file.display()));
    }
    Ok(prompts)
}
