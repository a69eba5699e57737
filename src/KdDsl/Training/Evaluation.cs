using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>Evaluation of a classifier on a data set.</summary>
public static class Evaluation
{
    /// <summary>Fraction of samples whose arg-max logit equals the label, in eval mode without gradients. The model's mode is restored.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, LabeledDataset data, int batchSize, Device device)
    {
        bool wasTraining = model.training;
        model.eval();
        long correct = 0;
        using (no_grad())
        {
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = System.Math.Min(batchSize, data.Count - start);
                var inputs = data.Features.narrow(0, start, length).to(device);
                var labels = data.Labels.narrow(0, start, length).to(device);
                correct += model.call(inputs).argmax(1).eq(labels).sum().item<long>();
            }
        }
        if (wasTraining) model.train();
        return (double)correct / data.Count;
    }
}
