"""The C trainers' files, written and read from PyTorch so that runs move both
ways: weights under the twin's state_dict names (the engine's parameter names),
optimiser state as the engine's flat DvParams buffer (tensors in registration
order, each starting on a 16-float boundary, zeros between), metadata as
src/engine/views/ae_train.c, score_train.c, score_model.c and latents.c write it.
  autoencoder checkpoint   weights, optimizer.adam_m/v; autoencoder_config, train_config, step, adam_t
  autoencoder model        weights; autoencoder_config (+ provenance)
  score checkpoint         EMA weights, train.online.*, train.adam_m/v, latent_mean/std;
                           format dimvida-score-checkpoint-1, train_config, step, adam_t, ema_step
  score model              weights, latent_mean/std; format dimvida-score-model-1, score_net_config (+ provenance)
  latent cache             latents [n][V][L]; format dimvida-view-latents-1, autoencoder_sha256, dataset_seed, split"""
import hashlib
import json

import numpy as np
import torch

from ..safetensors_io import load_file, save_file
from ..autoencoder import AutoencoderConfig
from ..score_net import ScoreNetConfig

SCORE_CHECKPOINT_FORMAT = "dimvida-score-checkpoint-1"
SCORE_MODEL_FORMAT = "dimvida-score-model-1"
LATENTS_FORMAT = "dimvida-view-latents-1"
ALIGN = 16


def g9(x, single=True):
    """A number as the C trainers print it (%.9g; a float field rounded to float32 first)."""
    return "%.9g" % float(np.float32(x) if single else x)


def c_layout(named_shapes):
    """[(name, shape)] in registration order → [(name, offset, numel, shape)], total floats (dv_params_add)."""
    layout, count = [], 0
    for name, shape in named_shapes:
        numel = int(np.prod(shape))
        offset = (count + ALIGN - 1) // ALIGN * ALIGN
        layout.append((name, offset, numel, tuple(shape)))
        count = offset + numel
    return layout, count


def module_layout(module):
    return c_layout([(k, tuple(v.shape)) for k, v in module.state_dict().items()])


def flatten(tensors, layout, count):
    flat = np.zeros(count, dtype=np.float32)
    for name, offset, numel, _ in layout:
        flat[offset:offset + numel] = tensors[name].detach().cpu().float().numpy().reshape(-1)
    return torch.from_numpy(flat)


def unflatten(flat, layout):
    if flat.numel() < layout[-1][1] + layout[-1][2]:
        raise ValueError(f"the optimiser state has {flat.numel()} values, the network needs "
                         f"{layout[-1][1] + layout[-1][2]}")
    return {name: flat[offset:offset + numel].reshape(shape).clone() for name, offset, numel, shape in layout}


def autoencoder_sha256(model):
    """dv_view_latents_autoencoder_id: SHA-256 of the config JSON and the flat float32 weights."""
    layout, count = module_layout(model)
    h = hashlib.sha256(model.config.to_json().encode())
    h.update(flatten(model.state_dict(), layout, count).numpy().tobytes())
    return h.hexdigest()


def _weights(tensors, names, prefix=""):
    missing = [prefix + n for n in names if prefix + n not in tensors]
    if missing:
        raise ValueError(f"missing tensors: {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}")
    return {n: tensors[prefix + n] for n in names}


def _int_meta(meta, key, path):
    try:
        return int(meta[key])
    except (KeyError, ValueError):
        raise ValueError(f"{path} is not a training checkpoint (no {key})") from None


# ---- autoencoder ----

def ae_train_config_json(c):
    return ('{"model":%s,"batch":%d,"lr":%s,"warmup_steps":%d,"steps":%d,"seed":%d,"max_shift":%d}'
            % (c["model"].to_json(), c["batch"], g9(c["lr"]), c["warmup_steps"], c["steps"], c["seed"],
               c["max_shift"]))


def ae_train_config_from_json(text):
    o = json.loads(text)
    return {"model": AutoencoderConfig(**o["model"]), "batch": int(o.get("batch", 64)), "lr": float(o.get("lr", 2e-3)),
            "warmup_steps": int(o.get("warmup_steps", 200)), "steps": int(o.get("steps", 10000)),
            "seed": int(o.get("seed", 1)), "max_shift": int(o.get("max_shift", 2))}


def save_ae_checkpoint(path, model, m, v, adam_t, step, config, extra=None):
    layout, count = module_layout(model)
    tensors = dict(model.state_dict())
    tensors["optimizer.adam_m"] = flatten(m, layout, count)
    tensors["optimizer.adam_v"] = flatten(v, layout, count)
    meta = dict(extra or {})
    meta.update({"autoencoder_config": model.config.to_json(), "train_config": ae_train_config_json(config),
                 "step": str(step), "adam_t": str(adam_t)})
    save_file(tensors, path, meta)


def load_ae_checkpoint(path):
    """→ (train config dict, weights, adam m, adam v, adam_t, step): a C or PyTorch checkpoint."""
    tensors, meta = load_file(path)
    if "train_config" not in meta or "optimizer.adam_m" not in tensors:
        raise ValueError(f"{path} is not an autoencoder training checkpoint (it has no train_config and "
                         f"optimizer.adam_m; a weights file goes to --init)")
    config = ae_train_config_from_json(meta["train_config"])
    from ..autoencoder import ViewAutoencoder
    names = list(ViewAutoencoder(config["model"]).state_dict())
    layout, _ = c_layout([(n, tuple(tensors[n].shape)) for n in _weights(tensors, names)])
    return (config, _weights(tensors, names), unflatten(tensors["optimizer.adam_m"], layout),
            unflatten(tensors["optimizer.adam_v"], layout), _int_meta(meta, "adam_t", path),
            _int_meta(meta, "step", path))


def save_autoencoder(path, model, extra=None):
    meta = dict(extra or {})
    meta["autoencoder_config"] = model.config.to_json()
    save_file(model.state_dict(), path, meta)


# ---- score model ----

def score_train_config_json(c):
    return ('{"model":%s,"p_all_diffuse":%s,"mask_draw":"%s","t_min":%s,"batch":%d,"lr":%s,"warmup_steps":%d,'
            '"steps":%d,"ema_beta":%s,"clip_norm":%s,"seed":%d}'
            % (c["model"].to_json(), g9(c["p_all_diffuse"], False), c["mask_draw"], g9(c["t_min"], False),
               c["batch"], g9(c["lr"]), c["warmup_steps"], c["steps"], g9(c["ema_beta"]), g9(c["clip_norm"]),
               c["seed"]))


def score_train_config_from_json(text):
    o = json.loads(text)
    return {"model": ScoreNetConfig(**o["model"]), "p_all_diffuse": float(o.get("p_all_diffuse", 0.2)),
            "mask_draw": "object" if o.get("mask_draw") == "object" else "batch",
            "t_min": float(o.get("t_min", 1e-3)), "batch": int(o.get("batch", 256)), "lr": float(o.get("lr", 3e-4)),
            "warmup_steps": int(o.get("warmup_steps", 200)), "steps": int(o.get("steps", 36000)),
            "ema_beta": float(o.get("ema_beta", 0.999)), "clip_norm": float(o.get("clip_norm", 1.0)),
            "seed": int(o.get("seed", 1))}


def save_score_checkpoint(path, net, ema_shadow, m, v, adam_t, ema_step, step, mean, std, config, extra=None):
    layout, count = module_layout(net)
    online = net.state_dict()
    tensors = {k: (ema_shadow[k] if ema_shadow is not None else t) for k, t in online.items()}
    tensors.update({"train.online." + k: t for k, t in online.items()})
    tensors["train.adam_m"] = flatten(m, layout, count)
    tensors["train.adam_v"] = flatten(v, layout, count)
    tensors["latent_mean"], tensors["latent_std"] = mean, std
    meta = dict(extra or {})
    meta.update({"format": SCORE_CHECKPOINT_FORMAT, "train_config": score_train_config_json(config),
                 "step": str(step), "adam_t": str(adam_t), "ema_step": str(ema_step if ema_shadow is not None else 0)})
    save_file(tensors, path, meta)


def load_score_checkpoint(path):
    """→ dict: config, online, ema (None without EMA), m, v, adam_t, ema_step, step, mean, std."""
    tensors, meta = load_file(path)
    if meta.get("format") != SCORE_CHECKPOINT_FORMAT or "train_config" not in meta:
        raise ValueError(f"{path} is not a score-model training checkpoint (format {SCORE_CHECKPOINT_FORMAT})")
    config = score_train_config_from_json(meta["train_config"])
    from ..score_net import ScoreNet
    names = list(ScoreNet(config["model"]).state_dict())
    online = _weights(tensors, names, "train.online.")
    layout, _ = c_layout([(n, tuple(online[n].shape)) for n in names])
    return {"config": config, "online": online, "ema": _weights(tensors, names) if config["ema_beta"] > 0 else None,
            "m": unflatten(tensors["train.adam_m"], layout), "v": unflatten(tensors["train.adam_v"], layout),
            "adam_t": _int_meta(meta, "adam_t", path), "ema_step": _int_meta(meta, "ema_step", path),
            "step": _int_meta(meta, "step", path), "mean": tensors["latent_mean"], "std": tensors["latent_std"]}


def save_score_model(path, config, weights, mean, std, extra=None):
    tensors = dict(weights)
    tensors["latent_mean"], tensors["latent_std"] = mean.float(), std.float()
    meta = dict(extra or {})
    meta.update({"format": SCORE_MODEL_FORMAT, "score_net_config": config.to_json()})
    save_file(tensors, path, meta)


def load_score_model(path):
    """→ (ScoreNetConfig, weights, mean, std) of a score.safetensors (C- or PyTorch-trained)."""
    tensors, meta = load_file(path)
    if meta.get("format") != SCORE_MODEL_FORMAT or "score_net_config" not in meta:
        raise ValueError(f"{path} is not a DiMViDA score model (format {SCORE_MODEL_FORMAT})")
    config = ScoreNetConfig.from_json(meta["score_net_config"])
    from ..score_net import ScoreNet
    names = list(ScoreNet(config).state_dict())
    return config, _weights(tensors, names), tensors["latent_mean"], tensors["latent_std"]


# ---- latent cache ----

def save_latents(path, latents, autoencoder_id, dataset_seed, split):
    save_file({"latents": latents}, path, {"format": LATENTS_FORMAT, "autoencoder_sha256": autoencoder_id,
                                            "dataset_seed": str(dataset_seed), "split": split})


def load_latents(path, autoencoder_id, dataset_seed, split, shape):
    """The cache's latents, or None with the reason when it was written for another autoencoder or split."""
    tensors, meta = load_file(path)
    if meta.get("format") != LATENTS_FORMAT:
        return None, "not a latent cache"
    if meta.get("autoencoder_sha256") != autoencoder_id:
        return None, "encoded by another autoencoder"
    if meta.get("dataset_seed") != str(dataset_seed) or meta.get("split") != split:
        return None, f"split {meta.get('split')} of dataset seed {meta.get('dataset_seed')}"
    if tuple(tensors["latents"].shape) != tuple(shape):
        return None, f"shape {tuple(tensors['latents'].shape)}, not {tuple(shape)}"
    return tensors["latents"], None
