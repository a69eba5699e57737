using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// Weights written by PyTorch: a <c>state_dict</c> saved with <c>torch.save</c> (.pt, .pth, .bin) or a <c>.safetensors</c> file,
/// read with TorchSharp.PyBridge. Before anything is copied, the file's keys are compared with the model's: every missing,
/// unexpected and mis-shaped key is listed in one error, with the module each belongs to.
/// </summary>
public static class PyTorchWeights
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="model"/> (a <paramref name="modelType"/>), strictly.</summary>
    public static void Load(nn.Module model, string path, string modelType)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The PyTorch weights file '{path}' ({Path.GetFullPath(path)}) for {modelType} does not exist.", path);
        var loaded = Read(path, modelType);
        try
        {
            var expected = model.state_dict();
            var problems = new List<string>();
            foreach (var (name, tensor) in expected)
            {
                if (!loaded.TryGetValue(name, out var value))
                    problems.Add($"missing: {name} {Shape(tensor)} (module '{ModulePath(name)}')");
                else if (!value.shape.SequenceEqual(tensor.shape))
                    problems.Add($"mis-shaped: {name} is {Shape(value)} in the file but {Shape(tensor)} in {modelType} (module '{ModulePath(name)}')");
            }
            foreach (var name in loaded.Keys.Where(k => !expected.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal))
                problems.Add($"unexpected: {name} {Shape(loaded[name])} (module '{ModulePath(name)}' is not in {modelType})");
            if (problems.Count > 0)
                throw new InvalidOperationException(
                    $"The PyTorch weights '{path}' do not fit {modelType} ({problems.Count} problem(s)); nothing was loaded:\n  " +
                    string.Join("\n  ", problems));
            using (no_grad())
            {
                foreach (var (name, tensor) in expected) tensor.copy_(loaded[name].to(tensor.dtype, tensor.device));
            }
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Read(string path, string modelType)
    {
        try
        {
            IDictionary raw;
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                raw = (IDictionary)Safetensors.LoadStateDict(path);
            }
            else
            {
                using var stream = File.OpenRead(path);
                raw = (IDictionary)PyTorchUnpickler.UnpickleStateDict(stream);
            }
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in raw)
            {
                if (entry.Key is string name && entry.Value is Tensor tensor) result[name] = tensor;
            }
            return result;
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException(
                $"'{path}' could not be read as PyTorch weights for {modelType} (a state_dict saved with torch.save, or .safetensors): {e.Message}", e);
        }
    }

    private static string ModulePath(string key) => key.Contains('.', StringComparison.Ordinal) ? key[..key.LastIndexOf('.')] : "(the model itself)";

    private static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
