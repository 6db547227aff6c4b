//! A copy of a model file in weights llama.cpp reads prompts fast in. On x86, llama.cpp
//! reads a prompt's batch of tokens with matrix kernels for Q8_0 (and Q4_0, IQ4_NL), but
//! not for Q4_1, the default model's format. Q8_0 holds every Q4_1 weight almost exactly:
//! over 30,660 tokens of real Python and Rust the default model's perplexity is 9.257 in
//! Q4_1 and 9.272 in Q8_0 (11.4 in Q4_0, 11.1 in IQ4_NL: a second 4-bit rounding costs
//! too much), and it reads a 256-token prompt in 685 ms against 852 ms
//! (docs/PERFORMANCE.md, `cargo bench -p keel --bench model_quality`). The copy is made
//! once, in the model store, and loaded in the original's place; the original stays what
//! the user configured and what Keel reports.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_sys_2 as sys;

/// A partial copy older than this was left by a process that stopped while writing it.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// The file llama.cpp should load for the model at `path`: `path` itself, or for Q4_1
/// weights their Q8_0 copy in `dir`, made now if it is not there yet. Any failure leaves
/// the original in use (and is logged once: this runs once per model load). `_backend`:
/// llama.cpp is set up (its logs go to `tracing`) before it converts anything.
pub fn fast_prompt_copy(_backend: &LlamaBackend, path: &Path, dir: &Path) -> PathBuf {
    match copy(path, dir) {
        Ok(Some(copy)) => copy,
        Ok(None) => path.to_path_buf(),
        Err(why) => {
            tracing::warn!("the model file {} is used as it is: {why}", path.display());
            path.to_path_buf()
        }
    }
}

/// `Some(copy)` for a model worth copying, `None` for one that is read fast as it is.
fn copy(path: &Path, dir: &Path) -> Result<Option<PathBuf>, String> {
    if !mostly_q4_1(path)? {
        return Ok(None);
    }
    // Named after the original's name, size and time: a replaced model gets a new copy.
    let metadata = std::fs::metadata(path).map_err(|err| err.to_string())?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_secs());
    let stem = path
        .file_stem()
        .map_or_else(|| "model".into(), |stem| stem.to_string_lossy());
    let copy = dir.join(format!("{stem}.{}-{modified}.Q8_0.gguf", metadata.len()));
    if copy.is_file() {
        return Ok(Some(copy));
    }
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    // Written under a name of this process's own, then renamed: two servers starting at
    // once each write a whole copy, and neither ever loads a partial one.
    let part = dir.join(format!(".{stem}.{}.part", std::process::id()));
    let started = std::time::Instant::now();
    let quantized = quantize(path, &part);
    if let Err(why) = quantized
        .and_then(|()| std::fs::rename(&part, &copy).map_err(|err| format!("cannot rename: {err}")))
    {
        let _ = std::fs::remove_file(&part);
        return Err(why);
    }
    // The copies of a model file since replaced (same name, another size or time) are of
    // no use any more: 145 MB each for the default model. So are the partial copies of a
    // process stopped while writing one (a copy takes seconds; an hour-old one is no
    // other server's work in progress).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let abandoned = name.starts_with(&format!(".{stem}."))
                && name.ends_with(".part")
                && entry
                    .metadata()
                    .and_then(|metadata| metadata.modified())
                    .ok()
                    .and_then(|modified| modified.elapsed().ok())
                    .is_some_and(|age| age > ABANDONED_AFTER);
            if (copy_of(&name, &stem) && entry.path() != copy) || abandoned {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    tracing::info!(
        "made {} from {} in {} ms: its prompts read faster",
        copy.display(),
        path.display(),
        started.elapsed().as_millis()
    );
    Ok(Some(copy))
}

/// Whether `name` is a copy made of a model file named `stem` (`{stem}.{size}-{time}.Q8_0.gguf`).
fn copy_of(name: &str, stem: &str) -> bool {
    name.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".Q8_0.gguf"))
        .and_then(|version| version.split_once('-'))
        .is_some_and(|(size, time)| {
            [size, time]
                .iter()
                .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        })
}

/// Whether most of the file's weight tensors are Q4_1, read from its header alone.
fn mostly_q4_1(path: &Path) -> Result<bool, String> {
    let name = c_path(path)?;
    let params = sys::gguf_init_params {
        no_alloc: true,
        ctx: std::ptr::null_mut(),
    };
    // SAFETY: `name` is a valid C string for the call; the context is freed below and
    // nothing it owns outlives it.
    unsafe {
        let gguf = sys::gguf_init_from_file(name.as_ptr(), params);
        if gguf.is_null() {
            return Err("cannot read its GGUF header".into());
        }
        let tensors = sys::gguf_get_n_tensors(gguf);
        let q4_1 = (0..tensors)
            .filter(|&id| sys::gguf_get_tensor_type(gguf, id) == sys::GGML_TYPE_Q4_1)
            .count();
        sys::gguf_free(gguf);
        Ok(q4_1 as i64 * 2 > tensors)
    }
}

fn quantize(from: &Path, to: &Path) -> Result<(), String> {
    let (from, to) = (c_path(from)?, c_path(to)?);
    // SAFETY: both names are valid C strings for the call; the parameters are llama.cpp's
    // defaults with the type and requantizing set.
    let failed = unsafe {
        let mut params = sys::llama_model_quantize_default_params();
        params.ftype = sys::LLAMA_FTYPE_MOSTLY_Q8_0;
        params.allow_requantize = true;
        sys::llama_model_quantize(from.as_ptr(), to.as_ptr(), &params)
    };
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("llama.cpp could not convert it (code {failed})"))
    }
}

fn c_path(path: &Path) -> Result<CString, String> {
    CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("{} holds a NUL byte", path.display()))
}

#[cfg(test)]
mod tests {
    use super::copy_of;

    #[test]
    fn only_the_copies_of_that_model_file_are_its_copies() {
        let stem = "SmolLM2-135M-Instruct.Q4_1";
        assert!(copy_of(
            "SmolLM2-135M-Instruct.Q4_1.98362432-1796649763.Q8_0.gguf",
            stem
        ));
        // Another model whose name starts the same way, and files that are not copies.
        assert!(!copy_of(
            "SmolLM2-135M-Instruct.Q4_1.fine-tuned.Q8_0.gguf",
            stem
        ));
        assert!(!copy_of(
            "SmolLM2-135M-Instruct.98362432-1796649763.Q8_0.gguf",
            stem
        ));
        assert!(!copy_of(
            "SmolLM2-135M-Instruct.Q4_1.98362432-1796649763.gguf",
            stem
        ));
    }
}
