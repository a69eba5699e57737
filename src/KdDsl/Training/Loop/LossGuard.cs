using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Reads a scalar loss and stops the run at the step where it stops being finite.</summary>
public static class LossGuard
{
    /// <summary>Returns the loss value; throws <see cref="NonFiniteLossException"/> naming the term when it is NaN or infinite.</summary>
    public static double Finite(Tensor loss, TrainingPhase phase, string term, int epoch, int step)
    {
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            NoGcRegion.Leave(); // the run stops here: do not leave the steps' no-GC region open behind it
            throw new NonFiniteLossException(phase, term, epoch, step, value);
        }
        return value;
    }
}
