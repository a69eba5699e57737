using System;

namespace KdDsl;

/// <summary>
/// Training-time augmentation of small images, applied on the training device to each training batch after it is gathered
/// (never to a copy of the data set): a random crop of the image padded on every side, then a random horizontal flip, each
/// drawn per sample from a generator seeded with (run seed, epoch, step), so a run repeats exactly and a resumed run ends as an
/// uninterrupted one. It applies to the training batches of every phase (teacher training, the student alone, distillation)
/// and never to validation or test data. In distillation the teacher sees the same augmented batch as the student (a live
/// teacher; a teacher-output cache would hold outputs for un-augmented inputs, so the combination is error KD0045).
/// Needs images: [N, C, H, W] data, or a flat built-in image data set (digits, MNIST, Fashion-MNIST), seen as [N, 1, H, W].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AugmentAttribute : Attribute
{
    /// <summary>
    /// Pad each image by this many pixels on every side, then crop a random window of the original size (the usual CIFAR
    /// augmentation uses 4); the padding is black (0) in the raw inputs, i.e. <c>-mean / std</c> after <see cref="NormalizeAttribute"/>.
    /// &gt;= 0, less than the image's height and width; 0 (the default) disables the crop.
    /// </summary>
    public int RandomCropPadding { get; set; }

    /// <summary>
    /// Mirror each image left to right with probability 1/2. Sensible for natural images and clothes (CIFAR, Fashion-MNIST), not
    /// for digits or text (warning KD0046). Default false.
    /// </summary>
    public bool HorizontalFlip { get; set; }
}
