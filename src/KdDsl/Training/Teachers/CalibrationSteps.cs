using KdDsl.Calibration;
using KdDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Training;

/// <summary>
/// The teacher's temperature scaling as the generated loops use it: the fit on the validation split, and its calibration on the
/// test split before and after.
/// </summary>
public sealed record TeacherCalibrationReport(TemperatureFit Fit, CalibrationReport TestBefore, CalibrationReport TestAfter)
{
    /// <summary>The fitted temperature T*: the distillation terms see the teacher's logits divided by it.</summary>
    public double Temperature => Fit.Temperature;
}

/// <summary>Calibration measurements of models on data sets.</summary>
public static class CalibrationSteps
{
    /// <summary>Calibration of <paramref name="model"/> on <paramref name="data"/> (logits divided by <paramref name="temperature"/>).</summary>
    public static CalibrationReport Measure(
        nn.Module<Tensor, Tensor> model, LabeledDataset data, int bins, int batchSize, Device device, double temperature = 1.0)
    {
        using var logits = Evaluation.Logits(model, data, batchSize, device);
        return CalibrationMetrics.ComputeFromLogits(logits, data.Labels, temperature, bins);
    }

    /// <summary>
    /// Fits T* on <paramref name="data"/>'s validation split by minimising the negative log-likelihood (weights frozen), and
    /// measures the test split before and after. Throws when there is no validation split.
    /// </summary>
    public static TeacherCalibrationReport CalibrateTeacher(
        nn.Module<Tensor, Tensor> teacher, DatasetSplits data, int bins, int batchSize, Device device)
    {
        if (data.Validation is null)
            throw new System.InvalidOperationException(
                "Calibrating the teacher needs a validation split: pass DatasetSplits with Validation, or set [Dataset(ValidationFraction = ...)].");
        TemperatureFit fit;
        using (var validationLogits = Evaluation.Logits(teacher, data.Validation, batchSize, device))
            fit = TemperatureScaling.FitDetailed(validationLogits, data.Validation.Labels);
        using var testLogits = Evaluation.Logits(teacher, data.Test, batchSize, device);
        return new TeacherCalibrationReport(
            fit,
            CalibrationMetrics.ComputeFromLogits(testLogits, data.Test.Labels, 1.0, bins),
            CalibrationMetrics.ComputeFromLogits(testLogits, data.Test.Labels, fit.Temperature, bins));
    }
}
