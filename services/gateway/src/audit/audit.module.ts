import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** Audit endpoints under /v1/audit (auditor role): history, state at a time, verify, replay, export. */
@Module({ controllers: [AuditController], providers: [AuditService] })
export class AuditModule {}
