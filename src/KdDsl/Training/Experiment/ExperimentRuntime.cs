using TorchSharp;

namespace KdDsl.Training;

/// <summary>Process-wide set-up the generated loops share.</summary>
public static class ExperimentRuntime
{
    /// <summary>Seeds TorchSharp's global generator, which drives weight initialisation and dropout.</summary>
    public static void Seed(int seed) => torch.manual_seed(seed);
}
