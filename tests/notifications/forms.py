"""Every form a completion notification arrives in, built as the AWS documentation shows them."""

from __future__ import annotations

import json
from typing import Any

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:AmazonRekognitionQueue"
JOB_ID = "6de014b0-2121-4bf0-9e31-856a18719e22"
TIMESTAMP_MS = 1502230160926


def rekognition_message(
    job_id: str = JOB_ID, status: str = "SUCCEEDED", api: str = "StartSegmentDetection", **extra: Any
) -> dict[str, Any]:
    """The service's own completion message (developer guide, "Reading Amazon Rekognition Video results")."""
    message: dict[str, Any] = {
        "JobId": job_id,
        "Status": status,
        "API": api,
        "JobTag": "episode-1",
        "Timestamp": TIMESTAMP_MS,
        "Video": {"S3ObjectName": "episodes/s01e01.mp4", "S3Bucket": "media-bucket"},
    }
    message.update(extra)
    return message


def sns_envelope(message: dict[str, Any], message_id: str = "b9d5ef4a-6e65-5f52-9a32-8e4c9ab6a1c1") -> dict[str, Any]:
    """What a standard (not raw) SNS subscription puts in an SQS body: the message as a JSON *string*."""
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": TOPIC_ARN,
        "Message": json.dumps(message),
        "Timestamp": "2017-08-08T22:09:20.926Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYD",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
        f"{TOPIC_ARN}:e2a8ef6c-4c5a-4e1d-8a0f-3a4c6f2f5b1c",
    }


def sqs_message(
    body: str, receipt: str = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a", message_id: str = "m-1"
) -> dict[str, Any]:
    """One message of a ``receive_message`` response."""
    return {
        "MessageId": message_id,
        "ReceiptHandle": receipt,
        "MD5OfBody": "fafb00f5732ab283681e124bf8747ed1",
        "Body": body,
    }


def receive_response(*messages: dict[str, Any]) -> dict[str, Any]:
    """A whole ``receive_message`` response (no ``Messages`` key when nothing was waiting)."""
    response: dict[str, Any] = {"ResponseMetadata": {"RequestId": "r-1", "HTTPStatusCode": 200}}
    if messages:
        response["Messages"] = list(messages)
    return response


def lambda_sns_event(*messages: dict[str, Any]) -> dict[str, Any]:
    """A Lambda event from an SNS trigger (Lambda developer guide, "Using Lambda with Amazon SNS")."""
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC_ARN}:21be56ed-a058-49f5-8c98-aedd2564c486",
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": "2019-01-02T12:45:07.000Z",
                    "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
                    "MessageId": f"95df01b4-ee98-5cb9-9903-4c221d41eb5{index}",
                    "Message": json.dumps(message),
                    "MessageAttributes": {},
                    "Type": "Notification",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=x",
                    "TopicArn": TOPIC_ARN,
                    "Subject": None,
                },
            }
            for index, message in enumerate(messages)
        ]
    }


def lambda_sqs_event(*bodies: str) -> dict[str, Any]:
    """A Lambda event from an SQS trigger (Lambda developer guide, "Using Lambda with Amazon SQS")."""
    return {
        "Records": [
            {
                "messageId": f"059f36b4-87a3-44ab-83d2-661975830a7{index}",
                "receiptHandle": f"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...{index}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1545082649185",
                },
                "messageAttributes": {},
                "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }
