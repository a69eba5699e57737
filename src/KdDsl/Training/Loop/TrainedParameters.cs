using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Which student parameters a distillation phase trains (<see cref="DistillationPhase.Trains"/>), and freezing the rest.</summary>
public static class TrainedParameters
{
    /// <summary>
    /// Splits the student's parameters into those <paramref name="prefixes"/> name (a parameter whose name is a prefix, or starts
    /// with a prefix and a dot) and the others; null prefixes train every parameter.
    /// </summary>
    /// <exception cref="InvalidOperationException">A prefix that names no parameter, with the parameters' top-level names.</exception>
    public static (List<Parameter> Trained, List<Parameter> Frozen) Split(nn.Module student, IReadOnlyList<string>? prefixes, string experiment)
    {
        ArgumentNullException.ThrowIfNull(student);
        var named = student.named_parameters().ToList();
        if (prefixes is null) return (named.Select(p => p.parameter).ToList(), new List<Parameter>());
        foreach (string prefix in prefixes)
        {
            if (!named.Any(p => Covers(prefix, p.name)))
            {
                var roots = named.Select(p => Root(p.name)).Distinct();
                throw new InvalidOperationException(
                    $"{experiment}: a stage trains \"{prefix}\", which names no parameter of the student {student.GetType().Name}; " +
                    $"its parameters are under {string.Join(", ", roots)} (use a name such as \"{named.FirstOrDefault().name ?? "blocks.0"}\" or a prefix of one).");
            }
        }
        var trained = new List<Parameter>();
        var frozen = new List<Parameter>();
        foreach (var (name, parameter) in named)
            (prefixes.Any(prefix => Covers(prefix, name)) ? trained : frozen).Add(parameter);
        return (trained, frozen);
    }

    /// <summary>
    /// Turns off gradients for <paramref name="frozen"/> until disposed (then restores each one's own setting), so a frozen
    /// parameter neither changes nor collects a gradient that a later phase would apply.
    /// </summary>
    public static IDisposable Freeze(IReadOnlyList<Parameter> frozen)
    {
        ArgumentNullException.ThrowIfNull(frozen);
        var restore = frozen.Where(p => p.requires_grad).ToList();
        foreach (var parameter in restore) parameter.requires_grad = false;
        return new Restore(restore);
    }

    private static bool Covers(string prefix, string name) => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);

    private static string Root(string name)
    {
        // "blocks.0.conv.weight" -> "blocks.0"; "head.weight" -> "head"
        var parts = name.Split('.');
        return parts.Length > 2 && int.TryParse(parts[1], out _) ? parts[0] + "." + parts[1] : parts[0];
    }

    private sealed class Restore(List<Parameter> parameters) : IDisposable
    {
        public void Dispose()
        {
            foreach (var parameter in parameters) parameter.requires_grad = true;
        }
    }
}
