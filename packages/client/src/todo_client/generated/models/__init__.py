"""Contains all the data models used in inputs/outputs"""

from .account_deletion import AccountDeletion
from .audit_event_read import AuditEventRead
from .audit_event_read_details import AuditEventReadDetails
from .audit_event_type import AuditEventType
from .body_auth_token import BodyAuthToken
from .body_auth_token_grant_type_type_0 import BodyAuthTokenGrantTypeType0
from .delivery_read import DeliveryRead
from .error_envelope import ErrorEnvelope
from .error_meta import ErrorMeta
from .error_object import ErrorObject
from .error_source import ErrorSource
from .event_type import EventType
from .export_document import ExportDocument
from .exported_list import ExportedList
from .exported_task import ExportedTask
from .exported_token import ExportedToken
from .exported_webhook import ExportedWebhook
from .health_status import HealthStatus
from .invitation_accept import InvitationAccept
from .invitation_create import InvitationCreate
from .invitation_read import InvitationRead
from .list_create import ListCreate
from .list_read import ListRead
from .list_update import ListUpdate
from .logout_request import LogoutRequest
from .membership_read import MembershipRead
from .membership_tenant import MembershipTenant
from .o_auth_error_envelope import OAuthErrorEnvelope
from .o_auth_error_envelope_error import OAuthErrorEnvelopeError
from .page_audit_event_read import PageAuditEventRead
from .page_delivery_read import PageDeliveryRead
from .page_invitation_read import PageInvitationRead
from .page_list_read import PageListRead
from .page_task_read import PageTaskRead
from .page_user_read import PageUserRead
from .page_webhook_read import PageWebhookRead
from .password_change import PasswordChange
from .password_reset_accepted import PasswordResetAccepted
from .password_reset_confirm import PasswordResetConfirm
from .password_reset_request import PasswordResetRequest
from .personal_token_create import PersonalTokenCreate
from .personal_token_created import PersonalTokenCreated
from .personal_token_read import PersonalTokenRead
from .refresh_request import RefreshRequest
from .scope import Scope
from .signup_accepted import SignupAccepted
from .signup_request import SignupRequest
from .signup_verified import SignupVerified
from .signup_verify import SignupVerify
from .switch_request import SwitchRequest
from .task_create import TaskCreate
from .task_delta import TaskDelta
from .task_move import TaskMove
from .task_priority import TaskPriority
from .task_read import TaskRead
from .task_stats import TaskStats
from .task_update import TaskUpdate
from .tasks_of_deleted_list import TasksOfDeletedList
from .tenant_deletion_read import TenantDeletionRead
from .tenant_deletion_request import TenantDeletionRequest
from .tenant_read import TenantRead
from .tenant_update import TenantUpdate
from .time_zone_name import TimeZoneName
from .token_pair import TokenPair
from .user_admin_update import UserAdminUpdate
from .user_read import UserRead
from .user_role import UserRole
from .user_update_me import UserUpdateMe
from .webhook_create import WebhookCreate
from .webhook_created import WebhookCreated
from .webhook_read import WebhookRead
from .webhook_secret import WebhookSecret
from .webhook_update import WebhookUpdate

__all__ = (
    "AccountDeletion",
    "AuditEventRead",
    "AuditEventReadDetails",
    "AuditEventType",
    "BodyAuthToken",
    "BodyAuthTokenGrantTypeType0",
    "DeliveryRead",
    "ErrorEnvelope",
    "ErrorMeta",
    "ErrorObject",
    "ErrorSource",
    "EventType",
    "ExportDocument",
    "ExportedList",
    "ExportedTask",
    "ExportedToken",
    "ExportedWebhook",
    "HealthStatus",
    "InvitationAccept",
    "InvitationCreate",
    "InvitationRead",
    "ListCreate",
    "ListRead",
    "ListUpdate",
    "LogoutRequest",
    "MembershipRead",
    "MembershipTenant",
    "OAuthErrorEnvelope",
    "OAuthErrorEnvelopeError",
    "PageAuditEventRead",
    "PageDeliveryRead",
    "PageInvitationRead",
    "PageListRead",
    "PageTaskRead",
    "PageUserRead",
    "PageWebhookRead",
    "PasswordChange",
    "PasswordResetAccepted",
    "PasswordResetConfirm",
    "PasswordResetRequest",
    "PersonalTokenCreate",
    "PersonalTokenCreated",
    "PersonalTokenRead",
    "RefreshRequest",
    "Scope",
    "SignupAccepted",
    "SignupRequest",
    "SignupVerified",
    "SignupVerify",
    "SwitchRequest",
    "TaskCreate",
    "TaskDelta",
    "TaskMove",
    "TaskPriority",
    "TaskRead",
    "TasksOfDeletedList",
    "TaskStats",
    "TaskUpdate",
    "TenantDeletionRead",
    "TenantDeletionRequest",
    "TenantRead",
    "TenantUpdate",
    "TimeZoneName",
    "TokenPair",
    "UserAdminUpdate",
    "UserRead",
    "UserRole",
    "UserUpdateMe",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookRead",
    "WebhookSecret",
    "WebhookUpdate",
)
