using System;
using KdDsl.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace KdDsl.Export;

/// <summary>
/// The trained student out of .NET: as a PyTorch <c>state_dict</c> (the file <c>torch.save(model.state_dict())</c> writes,
/// read back with <c>model.load_state_dict(torch.load(path))</c>), as <c>.safetensors</c>, or as an ONNX graph
/// (<see cref="OnnxExport"/>). Every file is written atomically: a run killed while saving leaves the old file or the
/// complete new one.
/// </summary>
public static class ModelExport
{
    /// <summary>
    /// Writes <paramref name="module"/>'s <c>state_dict</c> (parameters and buffers, BatchNorm statistics included, under
    /// the module's dotted names) as PyTorch's pickle format, with TorchSharp.PyBridge's <c>save_py</c>. PyTorch loads it
    /// into the same architecture with <c>load_state_dict(torch.load(path))</c>.
    /// </summary>
    public static void SavePyTorch(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, temporary => module.save_py(temporary));
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s <c>state_dict</c> as a <c>.safetensors</c> file (Hugging Face's format: a JSON
    /// header and the raw little-endian tensors), with TorchSharp.PyBridge's <c>save_safetensors</c>.
    /// </summary>
    public static void SaveSafetensors(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, temporary => module.save_safetensors(temporary));
    }

    /// <summary>
    /// Loads a file written by <see cref="SavePyTorch"/> or <see cref="SaveSafetensors"/> (or by PyTorch) into
    /// <paramref name="module"/>, strictly: every missing, unexpected and mis-shaped key is named in one error.
    /// </summary>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        PyTorchWeights.Load(module, path, module.GetType().Name);
    }
}
