"""Handler for the batch sample: fails on corrupt images (the Map tolerates a share of them)."""


class CorruptImage(Exception):
    """The image cannot be decoded."""


def resize_image(event, context):
    image = event["image"]
    if image.endswith(".corrupt"):
        raise CorruptImage(f"cannot decode {image}")
    return {"index": event["index"], "image": image, "thumbnail": f"thumbs/{event['width']}/{image}"}
